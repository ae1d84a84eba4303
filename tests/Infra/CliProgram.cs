using ScyllaApocryph.Infra.Cli;

namespace ScyllaApocryph.Tests.Infra;

/// <summary>The command-line program, for tests that run it as a process of its own.</summary>
public static class CliProgram
{
    /// <summary>
    /// The program in its own build folder (infra/bin/CONFIG/TFM), not the copy beside the tests: the tests reference
    /// ASP.NET Core's shared framework, so their folder leaves out package assemblies that framework also carries
    /// (Microsoft.Extensions.Logging.Abstractions, which Nethereum loads), and the program's runtimeconfig does not
    /// load that framework.
    /// </summary>
    public static string Path { get; } = Locate();

    private static string Locate()
    {
        var testsCopy = new FileInfo(typeof(CliApp).Assembly.Location);
        var framework = testsCopy.Directory!;               // net10.0
        var configuration = framework.Parent!;              // Debug or Release
        var own = System.IO.Path.Combine(StackConfigTests.RepositoryRoot(), "infra", "bin", configuration.Name, framework.Name, testsCopy.Name);
        if (!File.Exists(own)) throw new FileNotFoundException($"build the program first (dotnet build infra): {own} is missing", own);
        return own;
    }
}
