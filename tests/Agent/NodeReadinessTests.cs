using Microsoft.Extensions.Time.Testing;
using ScyllaApocryph.Agent;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>The agent's readiness (/readyz, and the seeds its peers pick) follows ready.py's rule: by the node's own host ID.</summary>
public sealed class NodeReadinessTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private ScyllaRestClient Local(ScyllaSimulator sim, string address) =>
        new(new HttpClient(sim), new Uri($"http://{address}:10000/"), _clock, new ScyllaRestOptions { GetRetries = 0 });

    [Fact]
    public async Task A_node_is_ready_when_its_own_host_id_is_live_and_normal_and_not_while_it_joins_or_leaves()
    {
        var sim = new ScyllaSimulator(_clock) { OperationDuration = TimeSpan.FromMinutes(10) };
        foreach (var i in Enumerable.Range(1, 3)) sim.Establish($"10.0.0.{i}", "dc1");
        sim.ReplicationFactors["dc1"] = 2;

        var (ready, hostId) = await NodeReadiness.CheckAsync(Local(sim, "10.0.0.1"), default);
        Assert.True(ready);
        Assert.Equal(sim.Members[0].HostId, hostId);

        var joining = sim.Bootstrap("10.0.0.4", "dc1");
        Assert.Equal((false, joining.HostId), await NodeReadiness.CheckAsync(Local(sim, "10.0.0.4"), default));

        _clock.Advance(TimeSpan.FromMinutes(11)); // joined
        Assert.True((await NodeReadiness.CheckAsync(Local(sim, "10.0.0.4"), default)).Ready);

        var leaving = Local(sim, "10.0.0.2").DecommissionAsync(default);
        Assert.False((await NodeReadiness.CheckAsync(Local(sim, "10.0.0.2"), default)).Ready);
        Assert.True((await NodeReadiness.CheckAsync(Local(sim, "10.0.0.3"), default)).Ready);
    }
}
