using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Tests.Doubles;
using static ScyllaApocryph.Tests.Membership.MembershipHarness;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>Only one reconciler acts at a time, for as long as its action runs.</summary>
public sealed class MembershipLeaseTests
{
    /// <summary>Four nodes, slot 3 deleted from the stack: the round decommissions it, and the POST blocks for 5 minutes.</summary>
    private static (MembershipHarness, MembershipSpec) BlockingDecommission()
    {
        var h = new MembershipHarness(cluster: clock => new ScyllaSimulator(clock) { TopologyPostsBlock = true, OperationDuration = TimeSpan.FromMinutes(5) });
        var slots = Enumerable.Range(0, 4).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        return (h, Spec(slots.Take(3), ("dc1", 3)) with { Retired = [slots[3]] });
    }

    [Fact]
    public void The_lease_is_renewed_while_a_blocking_operation_runs_so_no_one_else_takes_it() => SimulatedTime.Run(async () =>
    {
        var (h, spec) = BlockingDecommission();
        var r1 = h.Reconciler(spec, "r1"); // lease TTL 60 s, the decommission takes 5 minutes
        var acting = r1.ReconcileOnceAsync(default);
        await h.Until(() => h.Cluster.Operation is not null);

        await h.Until(() => h.Clock.GetUtcNow() - h.Cluster.Operation!.StartedAt >= TimeSpan.FromMinutes(3));
        var r2 = await h.Reconciler(spec, "r2").ReconcileOnceAsync(default);

        Assert.False(r2.Leader);
        Assert.Equal("r1", await h.Lease.HolderAsync(default));
        var round = await h.WhileTimePasses(acting);
        Assert.Equal(ActionKind.Decommission, round.Executed?.Kind);
        Assert.Null(round.Error);
        Assert.True((await h.Journal.LoadAsync(default))!.Issued);
    });

    [Fact]
    public void A_reconciler_that_loses_its_lease_mid_operation_stops_and_says_so_without_touching_the_journal_again() => SimulatedTime.Run(async () =>
    {
        var (h, spec) = BlockingDecommission();
        var r1 = h.Reconciler(spec, "r1");
        var acting = r1.ReconcileOnceAsync(default);
        await h.Until(() => h.Cluster.Operation is not null);

        // Another reconciler gets the lease anyway (r1 was paused past its expiry, or the lease store was reset).
        await h.Lease.ReleaseAsync("r1", default);
        Assert.True(await h.Lease.TryAcquireAsync("r2", TimeSpan.FromMinutes(10), default));
        var round = await h.WhileTimePasses(acting);

        Assert.True(round.LeaseLost);
        Assert.Contains("lost the lease", round.Error);
        Assert.Contains("r2 holds it", round.Error);
        Assert.False((await h.Journal.LoadAsync(default))!.Issued); // r2 may own the journal now: r1 wrote nothing more
    });

    [Fact]
    public void Up_stops_with_the_reason_when_the_lease_is_lost() => SimulatedTime.Run(async () =>
    {
        var (h, spec) = BlockingDecommission();
        var r1 = h.Reconciler(spec, "r1");
        var running = r1.RunUntilConvergedAsync(null, default);
        await h.Until(() => h.Cluster.Operation is not null);
        await h.Lease.ReleaseAsync("r1", default);
        Assert.True(await h.Lease.TryAcquireAsync("r2", TimeSpan.FromMinutes(10), default));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => h.WhileTimePasses(running));

        Assert.Contains("lost the lease", error.Message);
    });
}

public sealed class FileReconcilerLeaseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("membership-lease-").FullName;
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task Contenders_racing_for_a_free_lease_on_separate_threads_leave_exactly_one_holder()
    {
        const int contenders = 12;
        for (var race = 0; race < 15; race++)
        {
            var path = Path.Combine(_dir, $"race-{race}.json");
            using var start = new ManualResetEventSlim();
            // Each contender is its own lease object, as separate processes would be; all start at once.
            var attempts = Enumerable.Range(0, contenders).Select(i => Task.Factory.StartNew(() =>
            {
                var lease = new FileReconcilerLease(path, _clock);
                start.Wait();
                return lease.TryAcquireAsync($"r{i}", TimeSpan.FromMinutes(1), default).GetAwaiter().GetResult();
            }, TaskCreationOptions.LongRunning)).ToList();
            start.Set();
            var won = await Task.WhenAll(attempts);

            var winner = Assert.Single(Enumerable.Range(0, contenders), i => won[i]);
            Assert.Equal($"r{winner}", await new FileReconcilerLease(path, _clock).HolderAsync(default));
        }
    }

    [Theory]
    [InlineData("{\"Holder\":\"r1\",\"Expi")] // cut short mid-write
    [InlineData("\0\0\0\0")]
    [InlineData("null")]
    public async Task An_unreadable_lease_record_is_treated_as_expired_and_the_reason_reported(string content)
    {
        var path = Path.Combine(_dir, "lease.json");
        await File.WriteAllTextAsync(path, content);
        var warnings = new List<string>();
        var lease = new FileReconcilerLease(path, _clock, warnings.Add);

        Assert.Null(await lease.HolderAsync(default));
        Assert.True(await lease.TryAcquireAsync("r2", TimeSpan.FromMinutes(1), default));

        Assert.Equal("r2", await lease.HolderAsync(default));
        Assert.Contains(warnings, w => w.Contains(path) && w.Contains("treating the lease as expired"));
    }
}
