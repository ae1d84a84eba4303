namespace ScyllaApocryph.Infra.Cli;

/// <summary>What the command line talks to: streams, environment and terminal. Tests pass their own.</summary>
public sealed record CliEnvironment(
    TextWriter Out,
    TextWriter Error,
    TextReader In,
    string WorkingDirectory,
    Func<string, string?> GetEnvironmentVariable,
    bool InputIsTerminal,
    bool OutputIsTerminal)
{
    public static CliEnvironment FromConsole() => new(
        Console.Out,
        Console.Error,
        Console.In,
        Environment.CurrentDirectory,
        Environment.GetEnvironmentVariable,
        !Console.IsInputRedirected,
        !Console.IsOutputRedirected);
}

/// <summary>Exit codes: 0 ok, 1 an apply failed, 2 bad input (nothing was changed).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
}
