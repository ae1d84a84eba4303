using CsCheck;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>
/// The seeds of <see cref="MembershipPropertyTests"/> that CI runs. A seed names one draw of
/// <see cref="MembershipPropertyTests.Schedules"/>; replay one with <c>bash scripts/explore.sh membership --seed SEED</c>.
/// </summary>
public static class MembershipSeeds
{
    /// <summary>Every seed that ever failed, with what it found. Never remove one.</summary>
    public static readonly string[] EverFailed =
    [
        "5Q6AxKSiTNX1", // a join whose node reached Normal and then went down stayed "under way" forever
        "61qisVd1bgHUGCID", // a decommission sent to a node partitioned too recently for anyone to see: its quorum timeout
                            // escaped the round as an exception (now the round reports it), and the simulator counted it
                            // as the caller's fault
        "3bY-rPiUr7DppRdV", // a decommissioned node (still running) answered its snitch route with a list in the simulator;
                            // the observer's JSON error escaped the round (now any unreadable answer is an unanswered
                            // request, and the simulator answers the default location, as ScyllaDB does)
        "5JqpQ3covoujZcaq", // a node partitioned or crashed between the poll and the decommission it allowed: the
        "1KkK0RsbZZsOm-801", // coordinator's cancellation was counted as the caller's fault (the simulator now allows
                             // for the time between observing and acting)
    ];

    /// <summary>
    /// A fixed spread of further schedules: CsCheck seeds built from fixed generator states (the same on every run), so CI
    /// covers more than the seeds that failed without ever drawing a new one.
    /// </summary>
    public static IEnumerable<string> Spread => Enumerable.Range(1, SpreadCount).Select(i => new PCG((uint)i, 0x5C111A_0009UL).ToString());

    public const int SpreadCount = 100;

    public static IEnumerable<string> All => EverFailed.Concat(Spread);
}
