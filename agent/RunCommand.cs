namespace ScyllaApocryph.Agent;

/// <summary>
/// <c>run|check --config FILE [-- ARG...]</c>. The ARGs after <c>--</c> are added to the entrypoint's arguments of
/// agent.json: what only the platform knows, while agent.json is one file for every target (compose gives
/// <c>--broadcast-rpc-address</c> with the node's host-side address, exactly as it does without the agent).
/// </summary>
public sealed record RunCommand(string Verb, string ConfigPath, IReadOnlyList<string> EntrypointArguments)
{
    public static RunCommand? Parse(IReadOnlyList<string> args)
    {
        if (args.Count < 3 || args[0] is not ("run" or "check") || args[1] != "--config") return null;
        if (args.Count == 3) return new RunCommand(args[0], args[2], []);
        return args[3] == "--" ? new RunCommand(args[0], args[2], args.Skip(4).ToList()) : null;
    }

    /// <summary>The configuration with the extra entrypoint arguments appended.</summary>
    public AgentConfig Apply(AgentConfig config) =>
        EntrypointArguments.Count == 0 ? config : config with { Entrypoint = [.. config.Entrypoint, .. EntrypointArguments] };
}
