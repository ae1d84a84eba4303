using CsCheck;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>A fact that runs only when <c>scripts/explore.sh</c> asks for it (never in CI, which runs fixed seeds).</summary>
public sealed class ExplorationFactAttribute : FactAttribute
{
    public ExplorationFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(MembershipExploration.CountVariable) is null &&
            Environment.GetEnvironmentVariable(MembershipExploration.SeedVariable) is null)
            Skip = $"exploration only: bash scripts/explore.sh membership N (sets {MembershipExploration.CountVariable})";
    }
}

/// <summary>
/// Explores fresh random schedules of the membership property test, or replays one seed. Every failing seed is written to
/// the report with the command that reproduces it; add it to <see cref="MembershipSeeds"/> once understood and fixed.
/// </summary>
public sealed class MembershipExploration
{
    public const string CountVariable = "EXPLORE_MEMBERSHIP";
    public const string SeedVariable = "EXPLORE_MEMBERSHIP_SEED";
    public const string ReportVariable = "EXPLORE_REPORT";

    [ExplorationFact]
    public void Fresh_random_schedules_never_break_safety_and_converge()
    {
        var report = Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } path ? path : null;
        void Say(string line)
        {
            Console.WriteLine(line);
            if (report is not null) File.AppendAllText(report, line + Environment.NewLine);
        }

        var seeds = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } one
            ? [one]
            : Enumerable.Range(0, int.Parse(Environment.GetEnvironmentVariable(CountVariable)!)).Select(_ => FreshSeed());
        var (runs, failing) = (0, new List<string>());
        foreach (var seed in seeds)
        {
            runs++;
            try
            {
                MembershipPropertyTests.Check(seed);
            }
            catch (Exception e)
            {
                failing.Add(seed);
                var cause = e.InnerException?.Message ?? e.Message;
                Say($"FAILING SEED {seed}: {cause.Split('\n')[0]}");
                Say($"  reproduce: bash scripts/explore.sh membership --seed {seed}");
            }
        }
        Say($"explored {runs} schedule(s): {failing.Count} failing{(failing.Count > 0 ? ": " + string.Join(" ", failing) : "")}");
        Assert.Empty(failing);
    }

    /// <summary>A seed in CsCheck's own format, from a generator seeded by the OS (so each exploration differs).</summary>
    private static string FreshSeed() => new PCG((uint)Random.Shared.Next(), (ulong)Random.Shared.NextInt64()).ToString();
}
