using CsCheck;
using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Tests.Doubles;
using static ScyllaApocryph.Tests.Membership.MembershipHarness;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>
/// Random fault schedules and stack edits against the simulator. After every round the safety properties are checked
/// against the simulator's ground truth; once faults stop (and the majority holds) the cluster must converge.
/// </summary>
public sealed class MembershipPropertyTests
{
    // 0 lose+recreate empty, 1 crash, 2 restart, 3 lose only, 4 add a slot, 5 retire the highest slot, 6 nothing,
    // 7 partition a node from its peers, 8 heal every partition, 9 slow a node's REST answers (3, 6 or 9 s; 0 undoes)
    private static readonly Gen<(int Kind, int Target, int Rounds)> Fault = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 5], Gen.Int[1, 12]);

    /// <summary>How far simulated time moves while a round waits on a slow node (slowness comes in multiples of it).</summary>
    private static readonly TimeSpan SlowStep = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The cluster's manner varies too: topology POSTs that answer when accepted or only when done (ScyllaDB's way), and
    /// booted nodes that show up in gossip at once or 45 / 90 s later. A seed names one draw of this generator, so the
    /// generator must not change without the seed list being drawn again.
    /// </summary>
    internal static readonly Gen<((int Kind, int Target, int Rounds)[] Schedule, int Size, bool Blocking, int BootDelay)> Schedules =
        Gen.Select(Fault.Array[1, 6], Gen.Int[3, 4], Gen.Bool, Gen.Int[0, 2]);

    /// <summary>
    /// The schedules CI runs: every seed that ever failed (named after what it found), then seeds drawn once by
    /// <c>scripts/explore.sh membership</c> and kept for coverage. CI never draws a new one; exploring does.
    /// </summary>
    public static readonly TheoryData<string> Seeds = new(MembershipSeeds.All);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_fixed_schedule_of_faults_and_stack_edits_never_breaks_safety_and_converges(string seed) => Check(seed);

    /// <summary>Runs the schedule that <paramref name="seed"/> draws, on simulated time alone; throws what it breaks.</summary>
    /// <summary>The trace of the schedule <paramref name="seed"/> draws (see <see cref="Run"/>).</summary>
    internal static string TraceOf(string seed)
    {
        var trace = "";
        Schedules.Sample(t => SimulatedTime.Run(async () =>
            trace = await Run(t.Schedule, t.Size, t.Blocking, TimeSpan.FromSeconds(45 * t.BootDelay))), seed: seed, iter: 1, threads: 1);
        return trace;
    }

    internal static void Check(string seed) =>
        Schedules.Sample(t => SimulatedTime.Run(() => Run(t.Schedule, t.Size, t.Blocking, TimeSpan.FromSeconds(45 * t.BootDelay))),
            seed: seed, iter: 1, threads: 1);

    /// <summary>Runs one schedule; returns its trace (every operation the cluster accepted, and the simulated time it ended at).</summary>
    internal static async Task<string> Run((int Kind, int Target, int Rounds)[] schedule, int size, bool blocking, TimeSpan bootDelay)
    {
        var h = new MembershipHarness(cluster: clock => new ScyllaSimulator(clock) { TopologyPostsBlock = blocking, BootDelay = bootDelay });
        string Trace() => string.Join("; ", h.Cluster.Accepted) + " @ " + h.Clock.GetUtcNow().ToString("O");
        const int rf = 2;
        var slots = Enumerable.Range(0, size).Select(i => Slot("dc1", i)).Append(Slot("dc2", 0)).Append(Slot("dc3", 0)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", rf));
        var retired = new List<SlotSpec>();
        var reconciler = h.Reconciler(Spec(slots, ("dc1", rf)));
        var everRetired = new HashSet<string>();
        var nextOrdinal = size;

        async Task<InstancePhase?> PhaseOf(string slot) =>
            (await h.Hooks.ListInstancesAsync(default)).Instances.FirstOrDefault(i => i.Slot == slot)?.Phase;

        async Task Round()
        {
            var before = h.Cluster.Members.ToDictionary(n => n.HostId);
            var upBefore = before.Values.Where(n => h.Cluster.IsLiveNow(n.Address)).Select(n => n.HostId).ToHashSet();
            var round = await h.WhileTimePasses(reconciler.ReconcileOnceAsync(CancellationToken.None), SlowStep);
            if (round.Executed is { } a)
            {
                // Never removes an up node, and never replaces one; decommission only for slots deleted from the stack.
                if (a.Kind == ActionKind.Remove) Assert.DoesNotContain(a.HostId!, upBefore);
                if (a.Kind == ActionKind.Replace) Assert.DoesNotContain(a.HostId!, upBefore);
                if (a.Kind == ActionKind.Decommission) Assert.Contains(a.Address!, everRetired);
            }
            // The cluster never refused a request: no concurrent operation, no RF breach, no live-node removal, no majority loss.
            Assert.True(h.Cluster.Rejected.Count == 0, "refused: " + string.Join(" | ", h.Cluster.Rejected));
            // Never below RF in dc1 (members that own or will own its ranges).
            Assert.True(h.Cluster.Members.Count(n => n.Datacenter == "dc1" && n.Replacing is null) >= rf, "dc1 fell below its RF");
            h.Clock.Advance(Poll);
        }

        foreach (var (kind, target, rounds) in schedule)
        {
            var live = slots.Where(s => s.Datacenter == "dc1").ToList();
            var slot = live[target % live.Count];
            switch (kind)
            {
                case 0: h.Autoscaler.Lose(slot.Slot); h.Autoscaler.Recreate(slot.Slot); break;
                case 1: h.Autoscaler.Crash(slot.Slot); break;
                case 2 when await PhaseOf(slot.Slot) == InstancePhase.Running: h.Autoscaler.Restart(slot.Slot); break;
                case 3: h.Autoscaler.Lose(slot.Slot); break;
                case 4:
                    var added = Slot("dc1", nextOrdinal++); // a new slot never reuses a retired slot's identity
                    slots.Add(added);
                    h.Autoscaler.AddSlot(added);
                    h.Autoscaler.Recreate(added.Slot);
                    break;
                case 7: h.Cluster.Partition(slot.Address); break;
                case 8: foreach (var s in slots.Concat(retired)) h.Cluster.Heal(s.Address); break;
                case 9: h.Cluster.Slow(slot.Address, TimeSpan.FromSeconds(3 * (rounds % 4))); break;
                case 5 when live.Count > rf + 1:
                    var highest = live.MaxBy(s => s.Ordinal)!;
                    slots.Remove(highest);
                    retired.Add(highest);
                    everRetired.Add(highest.Address);
                    break;
            }
            if (kind is 4 or 5) reconciler = h.Reconciler(Spec(slots, ("dc1", rf)) with { Retired = retired.ToList() }, "r1");
            for (var i = 0; i < rounds; i++) await Round();
        }

        // Faults stop: partitions heal, answers are prompt again, every desired slot gets an instance (lost ones are
        // recreated empty, crashed ones restart).
        foreach (var s in slots.Concat(retired))
        {
            h.Cluster.Heal(s.Address);
            h.Cluster.Slow(s.Address, TimeSpan.Zero);
        }
        var instances = (await h.Hooks.ListInstancesAsync(default)).Instances.ToDictionary(i => i.Slot);
        foreach (var s in slots)
        {
            if (!instances.TryGetValue(s.Slot, out var instance)) h.Autoscaler.Recreate(s.Slot);
            else if (instance.Phase == InstancePhase.Running) h.Autoscaler.Restart(s.Slot); // only a process with its data restarts
        }
        for (var i = 0; i < 400; i++)
        {
            var round = await h.WhileTimePasses(reconciler.ReconcileOnceAsync(CancellationToken.None), SlowStep);
            if (round.Decision!.Refusal is not null)
            {
                // Allowed only when it is true: the lost members (empty volumes never return) are a majority.
                var members = h.Cluster.Members;
                Assert.True(2 * members.Count(n => h.Cluster.IsLiveNow(n.Address)) <= members.Count, "refused while the majority holds");
                return Trace();
            }
            if (round.Decision.Converged)
            {
                Assert.Equal(slots.Select(s => s.Address).Order(), h.Cluster.Members.Select(n => n.Address).Order());
                Assert.All(h.Cluster.Members, n => Assert.Equal(NodeState.Normal, n.State));
                return Trace();
            }
            Assert.True(h.Cluster.Rejected.Count == 0, "refused: " + string.Join(" | ", h.Cluster.Rejected));
            h.Clock.Advance(Poll);
        }
        Assert.Fail("did not converge after faults stopped: " + string.Join("; ", (await reconciler.PreviewAsync(default)).Decision.Actions));
        return Trace();
    }
}
