using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Infra.Config;
using ScyllaApocryph.Infra.ProviderChoice;

namespace ScyllaApocryph.Infra.Cli;

/// <summary>
/// Everything one command needs about one stack: the project, the validated configuration, the desired graph,
/// the providers and the state. Validation happens first, so bad input never touches the state or a provider.
/// Commands that change something hold the stack lock for as long as the session lives.
/// </summary>
public sealed class StackSession : IDisposable
{
    private StackLock? _lock;

    private StackSession(ProjectInfo project, StackSpec spec, string stateDirectory)
    {
        Project = project;
        Spec = spec;
        StateDirectory = stateDirectory;
    }

    public ProjectInfo Project { get; }

    public StackSpec Spec { get; private set; }

    public ResourceGraph Graph { get; private set; } = null!;

    public ProviderRegistry Providers { get; private set; } = null!;

    public string StateDirectory { get; }

    /// <summary>The state store; null while the stack has no state yet (see <see cref="WritableStore"/>).</summary>
    public StateStore? Store { get; private set; }

    public StackState State => Store?.State ?? new StackState();

    // For a stack with no state yet: creates its secrets settings and store, once a change is about to be applied.
    private Func<StateStore>? _createStore;

    // Whether the store's secrets were all opened once, as every command that writes the state does first.
    private bool _verified;

    // State folders this session created (for the lock), removed again if they are left empty.
    private readonly List<string> _createdDirectories = [];

    /// <summary>
    /// The store to apply changes to. For a new stack, this is when its secrets settings (and a generated passphrase)
    /// are written, so a plan that is refused, or bad input, leaves nothing behind.
    /// </summary>
    public StateStore WritableStore()
    {
        if (Store is null && _createStore is not null)
        {
            Store = _createStore();
            _createStore = null;
            _verified = true; // new: its key was derived to create it, and it holds no secret yet
        }
        var store = Store ?? throw new InvalidOperationException("this command opened the stack read-only");
        // Before the first change: a wrong passphrase or an altered secret must not surface halfway through a run.
        if (!_verified) store.VerifySecrets();
        _verified = true;
        return store;
    }

    /// <summary>The stack's providers chosen from the Registry: resolved before the graph is built (see <see cref="ProviderChoices"/>).</summary>
    public ProviderChoices Choices { get; private set; } = null!;

    /// <param name="choices">How far Registry selections are resolved: preview and up choose, other commands use what is recorded.</param>
    /// <param name="move">provider choose --move: entries to choose again.</param>
    public static async Task<StackSession> OpenAsync(CliEnvironment env, string? cwd, string stack, string command, bool mutate, int pbkdf2Iterations,
        ChoiceMode choices, bool deleteData = false, IReadOnlySet<string>? move = null, PassphraseCipher.KeyDerivation? keyDerivation = null,
        CancellationToken ct = default)
    {
        var project = ProjectInfo.Find(cwd is null ? env.WorkingDirectory : Path.GetFullPath(cwd, env.WorkingDirectory));
        StartupTrace.Mark("project found");
        var spec = StackConfigLoader.Load(project, stack);
        StartupTrace.Mark("configuration loaded");
        var session = new StackSession(project, spec, Path.Combine(project.Directory, ".state", stack));
        try
        {
            session.OpenState(env, command, mutate, pbkdf2Iterations, keyDerivation);
            StartupTrace.Mark("state opened");
            session.Choices = new ProviderChoices(session.StateDirectory, stack);
            session.Spec = await session.Choices.ResolveAsync(session.Spec, choices, move ?? new HashSet<string>(), ct);
            foreach (var note in session.Choices.Notes) env.Error.WriteLine("note: " + note);
            session.Build(env, deleteData);
            foreach (var warning in session.Spec.Warnings) env.Error.WriteLine("warning: " + warning);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    // Opening a stack's cipher derives no key: the first secret that is encrypted or decrypted does (once per run).
    private void OpenState(CliEnvironment env, string command, bool mutate, int iterations, PassphraseCipher.KeyDerivation? derive)
    {
        void Notice(string message) => env.Error.WriteLine("note: " + message);
        var settings = Path.Combine(StateDirectory, PassphraseCipher.SettingsFile);
        var exists = File.Exists(settings);
        if (!mutate && !exists) return; // nothing recorded yet, and a read-only command must not create anything
        // A missing passphrase is refused before anything is created (exit 2: nothing changed); a wrong one when the
        // first secret is opened, which for a command that writes is before its first change (WritableStore).
        var passphrase = PassphraseSource.Find(StateDirectory, env.GetEnvironmentVariable);
        var cipher = exists ? PassphraseCipher.Open(StateDirectory, passphrase!, iterations, derive) : null;
        if (mutate)
        {
            foreach (var dir in new[] { Path.GetDirectoryName(StateDirectory)!, StateDirectory })
                if (!Directory.Exists(dir)) _createdDirectories.Add(dir);
            _lock = StackLock.Acquire(StateDirectory, command, Notice);
        }
        if (cipher is null && File.Exists(settings)) // another run created the stack's state meanwhile
            cipher = PassphraseCipher.Open(StateDirectory, passphrase ?? PassphraseSource.Find(StateDirectory, env.GetEnvironmentVariable)!, iterations, derive);
        if (cipher is null)
        {
            _createStore = () =>
            {
                var chosen = passphrase ?? PassphraseSource.Find(StateDirectory, env.GetEnvironmentVariable) ?? PassphraseSource.Generate(StateDirectory, Notice);
                return StateStore.Open(StateDirectory, PassphraseCipher.Open(StateDirectory, chosen, iterations, derive));
            };
            return;
        }
        Store = StateStore.Open(StateDirectory, cipher);
        if (Store.Interrupted)
            Notice($"the last run on stack '{Spec.Stack}' was interrupted with {Store.State.Pending.Count} operation(s) unfinished; this run resumes them");
    }

    /// <summary>
    /// The desired graph, checked against what the state remembers of earlier deployments: the nodes they deployed
    /// keep their identities (a change is bad input, exit 2, and nothing is touched).
    /// </summary>
    private void Build(CliEnvironment env, bool deleteData)
    {
        var deployed = DeployedNodes.From(State.Outputs);
        if (deployed.Count > 0)
        {
            Spec = Spec with { Deployed = deployed };
            // The loader checked every other rule already; only this one needed the state.
            if (ClusterRules.IdentityError(Topology.Build(Spec), Project.Name) is { } moved) throw new ConfigException([moved]);
        }
        (Graph, Providers) = StackProgram.Build(Spec, Project.Directory, deleteData);
        if (RemovedProviders.Problems(State, Providers, Spec, Project.Directory) is { Count: > 0 } removed) throw new ConfigException(removed);
        // A context that does not exist is bad input: found here, by preview too, before any state is written.
        var contexts = Spec.Providers.Where(p => p.Kind == ProviderKind.Kubernetes)
            .Select(p => (p.Name, Problem: ScyllaApocryph.Providers.Kubernetes.KubeconfigFiles.ContextProblem(p.Settings["context"], p.Setting("kubeconfig"), env.GetEnvironmentVariable)))
            .Where(x => x.Problem is not null).Select(x => $"{Spec.Project}:providers.{x.Name}.context: {x.Problem}").ToList();
        if (contexts.Count > 0) throw new ConfigException(contexts);
    }

    public void Dispose()
    {
        Store?.Dispose();
        _lock?.Dispose();
        // The innermost first: the stack's folder, then .state, each only if this session made it and it is empty.
        for (var i = _createdDirectories.Count - 1; i >= 0; i--)
        {
            try
            {
                if (Directory.Exists(_createdDirectories[i]) && !Directory.EnumerateFileSystemEntries(_createdDirectories[i]).Any())
                    Directory.Delete(_createdDirectories[i]);
            }
            catch (IOException)
            {
                // another run put something there meanwhile: it stays
            }
        }
    }
}
