using System.Diagnostics;

namespace ScyllaApocryph.Infra.Cli;

/// <summary>
/// Where a run's start-up goes, for profiling only: with <c>SCYLLA_APOCRYPH_TRACE_STARTUP=1</c> each mark prints
/// to standard error the milliseconds since the process started and since the previous mark. Off, a mark costs
/// one static field read. Nothing depends on these figures.
/// </summary>
public static class StartupTrace
{
    public const string Variable = "SCYLLA_APOCRYPH_TRACE_STARTUP";

    private static readonly bool Enabled = Environment.GetEnvironmentVariable(Variable) == "1";
    private static double _last;

    public static void Mark(string what)
    {
        if (!Enabled) return;
        var now = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        Console.Error.WriteLine($"[startup] {now,7:F0} ms  +{now - _last,5:F0} ms  {what}");
        _last = now;
    }
}
