namespace ScyllaApocryph.Bench;

/// <summary>One benchmark case; Program finds every implementation and runs it by name.</summary>
public interface IBenchmark
{
    /// <summary>The name on the command line, e.g. <c>engine</c>.</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>Runs the benchmark and prints its figures to standard output.</summary>
    Task RunAsync(string[] args);
}
