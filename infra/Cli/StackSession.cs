using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Infra.Config;

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

    /// <summary>The state store; null for read-only sessions of a stack that has no state yet.</summary>
    public StateStore? Store { get; private set; }

    public StackState State => Store?.State ?? new StackState();

    public static StackSession Open(CliEnvironment env, string? cwd, string stack, string command, bool mutate, int pbkdf2Iterations)
    {
        var project = ProjectInfo.Find(cwd is null ? env.WorkingDirectory : Path.GetFullPath(cwd, env.WorkingDirectory));
        var spec = StackConfigLoader.Load(project, stack);
        var session = new StackSession(project, spec, Path.Combine(project.Directory, ".state", stack));
        try
        {
            session.OpenState(env, command, mutate, pbkdf2Iterations);
            session.Build();
            foreach (var warning in session.Spec.Warnings) env.Error.WriteLine("warning: " + warning);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private void OpenState(CliEnvironment env, string command, bool mutate, int iterations)
    {
        void Notice(string message) => env.Error.WriteLine("note: " + message);
        var exists = File.Exists(Path.Combine(StateDirectory, PassphraseCipher.SettingsFile));
        if (!mutate && !exists) return; // nothing recorded yet, and a read-only command must not create anything
        if (mutate) _lock = StackLock.Acquire(StateDirectory, command, Notice);
        var passphrase = PassphraseSource.Resolve(StateDirectory, env.GetEnvironmentVariable, Notice, mayCreate: mutate);
        var cipher = PassphraseCipher.Open(StateDirectory, passphrase, iterations);
        Store = StateStore.Open(StateDirectory, cipher);
        if (Store.Interrupted)
            Notice($"the last run on stack '{Spec.Stack}' was interrupted with {Store.State.Pending.Count} operation(s) unfinished; this run resumes them");
    }

    /// <summary>
    /// The desired graph, checked against what the state remembers of earlier deployments: the nodes they deployed
    /// keep their identities (a change is bad input, exit 2, and nothing is touched).
    /// </summary>
    private void Build()
    {
        var deployed = DeployedNodes.From(State.Outputs);
        if (deployed.Count > 0)
        {
            Spec = Spec with { Deployed = deployed };
            var (errors, _) = ClusterRules.Check(Spec, Project.Name);
            if (errors.Count > 0) throw new ConfigException(errors);
        }
        (Graph, Providers) = StackProgram.Build(Spec, Project.Directory);
    }

    public void Dispose()
    {
        Store?.Dispose();
        _lock?.Dispose();
    }
}
