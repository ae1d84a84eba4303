using System.CommandLine;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Compose;
using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Infra.Config;
using ScyllaApocryph.Infra.Output;
using ScyllaApocryph.Infra.ProviderChoice;
using Spectre.Console;

namespace ScyllaApocryph.Infra.Cli;

/// <summary>The command line: Pulumi's verbs over this program's own engine. Exit codes: 0 ok, 1 failed apply, 2 bad input.</summary>
public sealed class CliApp(CliEnvironment env)
{
    /// <summary>PBKDF2 work factor for stack secrets; tests lower it to stay fast.</summary>
    public int Pbkdf2Iterations { get; init; } = PassphraseCipher.DefaultIterations;

    /// <summary>The passphrase-to-key function (PBKDF2); tests count its calls.</summary>
    public PassphraseCipher.KeyDerivation KeyDerivation { get; init; } = PassphraseCipher.Pbkdf2;

    private readonly Option<string> _stack = new("--stack", "-s") { Description = "the stack to operate on (a Pulumi.<stack>.yaml in the project)", Recursive = true };
    private readonly Option<string?> _cwd = new("--cwd", "-C") { Description = "run as if started in this directory", Recursive = true };
    private readonly Option<bool> _json = new("--json") { Description = "print one JSON document for machines instead of the human view", Recursive = true };
    private readonly Option<int> _parallel = new("--parallel", "-p") { Description = "how many resource operations may run at once", DefaultValueFactory = _ => 16, Recursive = true };
    private readonly Option<bool> _yes = new("--yes", "-y") { Description = "apply without asking for confirmation" };
    private readonly Option<bool> _deleteData = new("--delete-data")
    {
        Description = "destroy also deletes the data: the volume claims of the nodes on Kubernetes providers (asked for separately)",
    };
    private readonly Option<bool> _showSecrets = new("--show-secrets") { Description = "print secret values in plaintext" };
    private readonly Option<string[]> _move = new("--move")
    {
        Description = "provider choose: choose this entry's provider again although one is recorded (its nodes are replaced; repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    public async Task<int> RunAsync(string[] args)
    {
        // Started by the Pulumi CLI: register the graph with its engine instead of running our own.
        if (env.GetEnvironmentVariable("PULUMI_MONITOR") is { Length: > 0 })
            return await new PulumiEngine.PulumiProgram(env).RunAsync(CancellationToken.None);
        var root = BuildCommands();
        var parsed = root.Parse(args);
        StartupTrace.Mark("command line parsed");
        if (parsed.Errors.Count > 0)
        {
            if (args.Contains("--json"))
                JsonReport.WriteErrors(env.Out, string.Join(' ', parsed.CommandResult.Command.Name), null, [.. parsed.Errors.Select(e => e.Message)]);
            foreach (var error in parsed.Errors) env.Error.WriteLine("error: " + error.Message);
            env.Error.WriteLine("Run with --help for usage.");
            return ExitCodes.BadInput;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = env.Out, Error = env.Error });
    }

    private RootCommand BuildCommands()
    {
        var root = new RootCommand("scylla-apocryph: one ScyllaDB cluster across several hosting providers, as infrastructure as code.")
        {
            _stack, _cwd, _json, _parallel,
        };
        var preview = new Command("preview", "show what up would change, changing nothing");
        preview.SetAction((p, ct) => Guard(p, "preview", () => PreviewAsync(p, ct)));
        var up = new Command("up", "create or update the stack's resources") { _yes };
        up.SetAction((p, ct) => Guard(p, "up", () => UpAsync(p, ct)));
        var refresh = new Command("refresh", "read every resource from its provider and record drift") { _yes };
        refresh.SetAction((p, ct) => Guard(p, "refresh", () => RefreshAsync(p, ct)));
        var destroy = new Command("destroy", "delete every resource of the stack (volume claims are kept unless --delete-data)") { _yes, _deleteData };
        destroy.SetAction((p, ct) => Guard(p, "destroy", () => DestroyAsync(p, ct)));
        var output = new Command("output", "print the stack's outputs") { _showSecrets };
        output.SetAction((p, ct) => Guard(p, "stack output", () => OutputAsync(p)));
        var stack = new Command("stack", "stack commands") { output };
        var choose = new Command("choose", "choose providers from the Registry for entries with select, and record them in the stack's state") { _move };
        choose.SetAction((p, ct) => Guard(p, "provider choose", () => ChooseAsync(p, ct)));
        var provider = new Command("provider", "Apocryph provider commands") { choose };
        foreach (var c in new[] { preview, up, refresh, destroy, stack, provider }) root.Subcommands.Add(c);
        return root;
    }

    private async Task<int> PreviewAsync(ParseResult p, CancellationToken ct)
    {
        using var session = await OpenAsync(p, "preview", mutate: false, ChoiceMode.Plan, ct: ct);
        var result = await Engine(p, session, null).PreviewAsync(session.Graph, session.State, ct);
        StartupTrace.Mark("planned");
        Report(p, "preview", session, result, preview: true);
        if (session.Choices.Pending.Count > 0)
            env.Error.WriteLine($"note: preview records no provider choice ({string.Join(", ", session.Choices.Pending.Keys)}); up or provider choose records it");
        StartupTrace.Mark("reported");
        return result.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>
    /// provider choose: resolves every Registry selection of the stack that has no recorded choice and records it;
    /// --move ENTRY chooses that entry again. The stack is checked as up would check it (a move that would change a
    /// deployed node's address is refused), and nothing is deployed.
    /// </summary>
    private async Task<int> ChooseAsync(ParseResult p, CancellationToken ct)
    {
        var move = (p.GetValue(_move) ?? []).ToHashSet(StringComparer.Ordinal);
        var stack = p.GetValue(_stack) ?? throw new ConfigException(["--stack: is required (for example --stack local)"]);
        var spec = StackConfigLoader.Load(ProjectInfo.Find(p.GetValue(_cwd) is { } cwd ? Path.GetFullPath(cwd, env.WorkingDirectory) : env.WorkingDirectory), stack);
        var selecting = spec.Providers.Where(x => ApocryphSelectionSettings.Of(x) is not null).Select(x => x.Name).ToList();
        foreach (var name in move.Where(m => !selecting.Contains(m)))
            throw new ConfigException([$"--move: '{StackConfigLoader.Printable(name)}' is not an Apocryph provider entry with select in stack {stack} " +
                                       $"(entries with select: {string.Join(", ", selecting.DefaultIfEmpty("none"))})"]);
        if (selecting.Count == 0)
        {
            env.Out.WriteLine($"stack {stack} has no Apocryph provider entry with select: nothing to choose");
            return ExitCodes.Ok;
        }
        using var session = await OpenAsync(p, "provider choose", mutate: true, ChoiceMode.Plan, move: move, ct: ct);
        var recorded = session.Choices.Record();
        foreach (var line in recorded) env.Out.WriteLine(line);
        if (recorded.Count == 0) env.Out.WriteLine($"stack {stack}: every Registry choice is recorded already; nothing changed");
        return ExitCodes.Ok;
    }

    private async Task<int> UpAsync(ParseResult p, CancellationToken ct)
    {
        using var session = await OpenAsync(p, "up", mutate: true, ChoiceMode.Plan, ct: ct);
        ConfirmedPlan? confirmed = null;
        if (!p.GetValue(_yes))
        {
            var plan = await Engine(p, session, null).PreviewAsync(session.Graph, session.State, ct);
            if (!plan.Succeeded || !plan.HasChanges)
            {
                Report(p, "preview", session, plan, preview: true);
                return plan.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
            }
            if (!ConfirmPlan(p, session, plan, "Do you want to apply these changes?", out var refusal)) return refusal;
            confirmed = new ConfirmedPlan(plan);
            // Live diffs (membership, renewal windows) may have moved while the person read the plan: apply only what they saw.
            var replan = await Engine(p, session, null).PreviewAsync(session.Graph, session.State, ct);
            if (confirmed.Differences(replan) is { Count: > 0 } differences) throw new PlanChangedException(differences);
        }
        var store = session.WritableStore();
        // Before anything lands on a provider chosen from the Registry, the choice is in the state: it never moves silently.
        foreach (var line in session.Choices.Record()) env.Error.WriteLine("note: " + line);
        var result = await WithProgress(p, view => Engine(p, session, view).UpAsync(session.Graph, store, ct, confirmed));
        Report(p, "up", session, result, preview: false);
        return result.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private async Task<int> RefreshAsync(ParseResult p, CancellationToken ct)
    {
        using var session = await OpenAsync(p, "refresh", mutate: true, ChoiceMode.Recorded);
        var result = await Engine(p, session, null).RefreshAsync(session.WritableStore(), ct);
        Report(p, "refresh", session, result, preview: false);
        return result.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private async Task<int> DestroyAsync(ParseResult p, CancellationToken ct)
    {
        var deleteData = p.GetValue(_deleteData);
        using var session = await OpenAsync(p, "destroy", mutate: true, ChoiceMode.Recorded, deleteData);
        if (deleteData && !ConfirmDataDeletion(p, session, out var dataRefusal)) return dataRefusal;
        if (!p.GetValue(_yes))
        {
            var plan = await Engine(p, session, null).DestroyAsync(session.State, null, ct);
            if (!plan.HasChanges)
            {
                Report(p, "preview", session, plan, preview: true);
                return ExitCodes.Ok;
            }
            if (!ConfirmPlan(p, session, plan, "Do you want to delete these resources?", out var refusal)) return refusal;
        }
        var store = session.WritableStore();
        var result = await WithProgress(p, view => Engine(p, session, view).DestroyAsync(store.State, store, ct));
        Report(p, "destroy", session, result, preview: false);
        return result.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>Shows progress to people; --json output stays one clean document.</summary>
    private async Task<DeploymentResult> WithProgress(ParseResult p, Func<IDeploymentObserver?, Task<DeploymentResult>> run)
    {
        if (p.GetValue(_json)) return await run(null);
        var view = new ProgressView(env.Out, live: env.OutputIsTerminal);
        return await view.RunAsync(Console(), () => run(view));
    }

    private async Task<int> OutputAsync(ParseResult p)
    {
        using var session = await OpenAsync(p, "stack output", mutate: false, ChoiceMode.Recorded);
        var showSecrets = p.GetValue(_showSecrets);
        if (p.GetValue(_json)) JsonReport.WriteOutputs(env.Out, session.State.Outputs, showSecrets);
        else if (session.State.Outputs.Count == 0) env.Out.WriteLine($"stack '{session.Spec.Stack}' has no outputs yet; run up first");
        else OutputsPrinter.Print(env.Out, session.State.Outputs, showSecrets);
        return ExitCodes.Ok;
    }

    private async Task<StackSession> OpenAsync(ParseResult p, string command, bool mutate, ChoiceMode choices, bool deleteData = false,
        IReadOnlySet<string>? move = null, CancellationToken ct = default)
    {
        if (p.GetValue(_parallel) < 1) throw new ConfigException(["--parallel: must be >= 1"]);
        var stack = p.GetValue(_stack) ?? throw new ConfigException(["--stack: is required (for example --stack local)"]);
        return await StackSession.OpenAsync(env, p.GetValue(_cwd), stack, command, mutate, Pbkdf2Iterations, choices, deleteData, move, KeyDerivation, ct);
    }

    /// <summary>
    /// Deleting the data is asked for on its own, even with --yes: on a terminal the person types the stack's name.
    /// Without a terminal, --delete-data together with --yes is the explicit request.
    /// </summary>
    private bool ConfirmDataDeletion(ParseResult p, StackSession session, out int refusal)
    {
        refusal = ExitCodes.BadInput;
        var prompt = p.GetValue(_json) ? env.Error : env.Out;
        var kubernetes = session.Spec.Providers.Where(x => x.Kind == Components.Cluster.ProviderKind.Kubernetes).Select(x => x.Name).ToList();
        prompt.WriteLine($"--delete-data: destroy will also delete the PersistentVolumeClaims of stack {session.Spec.Stack}'s nodes on Kubernetes " +
                         $"provider(s) {string.Join(", ", kubernetes.DefaultIfEmpty("(none in this stack)"))}. Every row stored in ScyllaDB there is lost for good.");
        if (!env.InputIsTerminal)
        {
            if (p.GetValue(_yes)) return true;
            env.Error.WriteLine("error: there is no terminal to confirm on; pass --yes with --delete-data to delete the data. Nothing was changed.");
            return false;
        }
        prompt.Write($"Type the stack name ({session.Spec.Stack}) to delete the data: ");
        prompt.Flush();
        if (env.In.ReadLine()?.Trim() == session.Spec.Stack) return true;
        prompt.WriteLine("Cancelled; nothing was changed.");
        refusal = ExitCodes.Ok;
        return false;
    }

    private DeploymentEngine Engine(ParseResult p, StackSession session, IDeploymentObserver? observer)
    {
        return new DeploymentEngine(session.Providers, observer, p.GetValue(_parallel));
    }

    private void Report(ParseResult p, string command, StackSession session, DeploymentResult result, bool preview)
    {
        if (p.GetValue(_json))
        {
            JsonReport.Write(env.Out, command, session.Spec.Stack, result, preview, showSecrets: false);
            return;
        }
        if (preview || command == "refresh")
        {
            var heading = preview ? $"Plan for stack {session.Spec.Stack} ({session.Project.Name}):" : $"Drift in stack {session.Spec.Stack}:";
            PlanPrinter.Print(env.Out, result, heading, preview);
            return;
        }
        // The progress view has shown every step; repeat only what went wrong, then the totals.
        foreach (var o in result.Outcomes.Where(o => o.Status is StepStatus.Failed or StepStatus.Skipped))
            env.Out.WriteLine($"{StepText.Done(o)}: {o.Step.Type} {o.Step.Name}: {o.Error}");
        env.Out.WriteLine($"Resources: {StepText.Summary(result, preview: false)}");
        if (command == "up" && result.Succeeded) OutputsPrinter.Print(env.Out, result.Outputs, showSecrets: false, full: false);
        if (command == "up" && result.Succeeded && session.Spec.ComposeDirectory is { } compose)
        {
            env.Out.WriteLine();
            var directory = Path.GetFullPath(compose, session.Project.Directory);
            foreach (var line in TrialInstructions.Lines(Topology.Build(session.Spec), directory)) env.Out.WriteLine(line);
        }
    }

    /// <summary>
    /// Shows the plan and asks. With --json a person confirming reads the plan on standard error, and standard
    /// output gets exactly one document: the plan if the answer is no (or cannot be given), else the result.
    /// </summary>
    private bool ConfirmPlan(ParseResult p, StackSession session, DeploymentResult plan, string question, out int refusal)
    {
        var asking = p.GetValue(_json) && env.InputIsTerminal;
        if (asking) PlanPrinter.Print(env.Error, plan, $"Plan for stack {session.Spec.Stack} ({session.Project.Name}):", preview: true);
        else Report(p, "preview", session, plan, preview: true);
        if (Confirm(p, question, out refusal)) return true;
        if (asking) Report(p, "preview", session, plan, preview: true);
        return false;
    }

    private bool Confirm(ParseResult p, string question, out int refusal)
    {
        refusal = ExitCodes.BadInput;
        if (!env.InputIsTerminal)
        {
            env.Error.WriteLine("error: there is no terminal to confirm on; pass --yes to apply the plan above. Nothing was changed.");
            return false;
        }
        // With --json, standard output carries only JSON: the question and its answer go to standard error.
        var prompt = p.GetValue(_json) ? env.Error : env.Out;
        prompt.Write(question + " [y/N] ");
        prompt.Flush();
        var answer = env.In.ReadLine()?.Trim().ToLowerInvariant();
        if (answer is "y" or "yes") return true;
        prompt.WriteLine("Cancelled; nothing was changed.");
        refusal = ExitCodes.Ok;
        return false;
    }

    private IAnsiConsole Console()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(env.Out),
            Ansi = env.OutputIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = env.OutputIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = env.OutputIsTerminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!env.OutputIsTerminal) console.Profile.Width = 160;
        return console;
    }

    /// <summary>Maps failures to exit codes and clear messages; bad input is 2 and has changed nothing.</summary>
    private async Task<int> Guard(ParseResult p, string command, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (ConfigException e)
        {
            if (p.GetValue(_json)) JsonReport.WriteErrors(env.Out, command, p.GetValue(_stack), e.Errors);
            env.Error.WriteLine($"error: invalid input for {command}:");
            foreach (var error in e.Errors) env.Error.WriteLine("  " + error);
            env.Error.WriteLine("Nothing was changed.");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is StateDamagedException or WrongPassphraseException or StackLockedException or ProtectedResourceException or PlanChangedException)
        {
            if (p.GetValue(_json)) JsonReport.WriteErrors(env.Out, command, p.GetValue(_stack), [e.Message]);
            env.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (p.GetValue(_json) && e is NoProviderMatchesException) JsonReport.WriteErrors(env.Out, command, p.GetValue(_stack), [e.Message]);
            env.Error.WriteLine($"error: {command} failed: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
