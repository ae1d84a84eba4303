using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Tests.Doubles;
using static ScyllaApocryph.Tests.Membership.MembershipHarness;

namespace ScyllaApocryph.Tests.Membership;

public sealed class MembershipProviderTests
{
    private static readonly Urn Urn = Urn.Create("dev", "scylla", null, MembershipProvider.Type, "membership");

    private static PropertyMap Inputs(IEnumerable<SlotSpec> slots, int rf) => PropertyMap.Of(
        ("slots", PropertyValue.Array(slots.Select(s => (PropertyValue)PropertyMap.Of(
            ("slot", s.Slot), ("datacenter", s.Datacenter), ("ordinal", s.Ordinal), ("address", s.Address), ("zeroToken", s.ZeroToken))))),
        ("replicationFactors", PropertyMap.Of(("dc1", rf))));

    private static MembershipProvider Provider(MembershipHarness h) =>
        new(new MembershipProviderContext(new HttpClient(h.Cluster), new DirectEndpointResolver(), h.Hooks, h.Lease, h.Journal, h.Clock,
            new ReconcilerOptions("provider") { PollInterval = Poll }) { Rest = new ScyllaRestOptions { GetRetries = 0 } });

    [Fact]
    public void Preview_lists_the_actions_without_taking_them_and_up_takes_them() => SimulatedTime.Run(async () =>
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 4).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        var provider = Provider(h);
        var olds = Inputs(slots, 3);
        var news = Inputs(slots.Take(3), 3);

        var diff = await provider.DiffAsync(new DiffRequest(Urn, MembershipProvider.Type, "membership", olds, PropertyMap.Empty, news), default);
        Assert.True(diff.Changes);
        Assert.Contains(diff.Notes!, n => n.StartsWith("decommission: ") && n.Contains(slots[3].Address));
        Assert.Empty(h.Cluster.Accepted); // preview took nothing

        var update = provider.UpdateAsync(new UpdateRequest(Urn, MembershipProvider.Type, "membership", olds, PropertyMap.Empty, news), default);
        var outputs = (await h.WhileTimePasses(update, Poll)).Outputs; // the provider waits on the injected clock between polls
        Assert.Equal(true, outputs.Get("converged")!.AsBool);
        Assert.Equal(3, outputs.Get("nodes")!.AsArray!.Value.Length);
        Assert.All(outputs.Get("nodes")!.AsArray!.Value, n => Assert.Equal("UN", n.AsMap!.GetString("status")));
        Assert.Equal(["decommission " + slots[3].Address], h.Cluster.Accepted);

        var read = await provider.ReadAsync(new ReadRequest(Urn, MembershipProvider.Type, "membership", news, outputs), default);
        Assert.Equal(outputs.Get("nodes"), read!.Outputs.Get("nodes"));
    });

    [Fact]
    public async Task With_node_agents_deployed_up_waits_for_them_and_takes_no_action_itself()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 4).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        var provider = new MembershipProvider(new MembershipProviderContext(new HttpClient(h.Cluster), new DirectEndpointResolver(), h.Hooks,
            h.Lease, h.Journal, h.Clock, new ReconcilerOptions("provider") { PollInterval = Poll, ConvergeTimeout = TimeSpan.FromMinutes(2) })
            { Rest = new ScyllaRestOptions { GetRetries = 0 } });
        var olds = Inputs(slots, 3);

        // Converged already: up returns the summary at once.
        var same = await provider.UpdateAsync(new UpdateRequest(Urn, MembershipProvider.Type, "membership", olds, PropertyMap.Empty,
            olds.With("agentsAct", true)), default);
        Assert.Equal(true, same.Outputs.Get("converged")!.AsBool);

        // A slot deleted: the agents would decommission it; up only waits (here no agent acts, so it times out).
        var news = Inputs(slots.Take(3), 3).With("agentsAct", true);
        var update = provider.UpdateAsync(new UpdateRequest(Urn, MembershipProvider.Type, "membership", olds, PropertyMap.Empty, news), default);
        while (!update.IsCompleted)
        {
            h.Clock.Advance(Poll);
            await Task.Delay(1);
        }
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => update);
        Assert.Contains("node agents did not converge", timeout.Message);
        Assert.Contains("decommission", timeout.Message);
        Assert.Empty(h.Cluster.Accepted);
        Assert.Null(await h.Lease.HolderAsync(default)); // it never took the reconcilers' lease either
    }

    [Fact]
    public async Task Preview_shows_the_replace_and_the_remove_up_will_do_once_the_grace_period_is_met_and_takes_neither()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 5).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        h.Autoscaler.Lose("dc1-1");
        h.Autoscaler.Recreate("dc1-1"); // came back empty: up will replace it
        h.Autoscaler.Lose("dc1-4");     // deleted from the stack below: up will removenode it
        h.Clock.Advance(TimeSpan.FromSeconds(25)); // gossip has seen both down
        var provider = Provider(h);
        var olds = Inputs(slots, 3);
        var news = Inputs(slots.Take(4), 3);

        var diff = await provider.DiffAsync(new DiffRequest(Urn, MembershipProvider.Type, "membership", olds, PropertyMap.Empty, news), default);

        var replace = Assert.Single(diff.Notes!, n => n.StartsWith("replace: "));
        Assert.Contains("once down ≥ 40s (first seen down now)", replace);
        Assert.Contains("replace_node_first_boot=", replace);
        var remove = Assert.Single(diff.Notes!, n => n.StartsWith("remove: "));
        Assert.Contains("once down ≥ 40s", remove);
        Assert.Empty(h.Cluster.Accepted);
        Assert.Empty(h.Autoscaler.Boots);
        Assert.Null(await h.Journal.LoadAsync(default));
        Assert.Null(await h.Lease.HolderAsync(default));
    }

    [Fact]
    public async Task Check_names_missing_fields_and_duplicate_addresses()
    {
        var provider = Provider(new MembershipHarness());
        var bad = Inputs([Slot("dc1", 0), Slot("dc1", 0) with { Slot = "x" }], 1).Without("replicationFactors");
        var check = await provider.CheckAsync(new CheckRequest(Urn, MembershipProvider.Type, PropertyMap.Empty, bad), default);
        Assert.Contains(check.Failures, f => f.Property == "slots" && f.Reason.Contains("more than one slot"));
        Assert.Contains(check.Failures, f => f.Property == "replicationFactors");
    }

    [Fact]
    public async Task The_observer_reports_disagreements_and_counts_a_node_up_if_any_observer_sees_it()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.Cluster.Partition(slots[0].Address);
        h.Clock.Advance(TimeSpan.FromSeconds(25));
        var observer = new ClusterObserver(new HttpClient(h.Cluster), new DirectEndpointResolver(), h.Clock, new ScyllaRestOptions { GetRetries = 0 });

        var view = await observer.ObserveAsync(slots.Select(s => s.Address), default);

        Assert.Equal(3, view.Reachable.Count);
        Assert.Contains(view.Disagreements, d => d.StartsWith(slots[0].Address));
        Assert.All(view.Nodes, n => Assert.Equal(NodeStatus.Up, n.Status)); // the isolated node says it is alive: nothing is done to it
        Assert.True(view.Nodes.All(n => n.Disputed)); // it sees its peers down, they see it down
        Assert.Equal("dc1", view.Nodes[0].Datacenter);
    }

    [Fact]
    public void A_slow_node_times_out_and_counts_as_unreachable() => SimulatedTime.Run(async () =>
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.Cluster.Slow(slots[1].Address, TimeSpan.FromSeconds(30));
        var observer = new ClusterObserver(new HttpClient(h.Cluster), new DirectEndpointResolver(), h.Clock,
            new ScyllaRestOptions { GetRetries = 0, RequestTimeout = TimeSpan.FromSeconds(5) });

        var view = await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default));
        Assert.DoesNotContain(slots[1].Address, view.Reachable);
        Assert.Equal(2, view.Reachable.Count);
        Assert.Equal(3, view.Nodes.Count); // still a member, and still up for its peers
    });

    [Fact]
    public async Task The_rest_client_surfaces_scylla_errors_with_their_message()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        var client = new ScyllaRestClient(new HttpClient(h.Cluster), new Uri($"http://{slots[0].Address}:10000/"), h.Clock);
        var upHost = await client.LocalHostIdAsync(default);
        var error = await Assert.ThrowsAsync<ScyllaRestException>(() => client.RemoveNodeAsync(upHost, [], default));
        Assert.Contains("alive", error.Message);
        var ids = await client.HostIdMapAsync(default);
        Assert.Equal(3, ids.Count);
    }

    [Fact]
    public async Task The_hooks_handler_serves_the_documented_routes()
    {
        var h = new MembershipHarness();
        h.Autoscaler.Seed([Slot("dc1", 0)]);
        h.Autoscaler.AddSlot(Slot("dc1", 1));
        var added = await h.Hooks.InstanceAddedAsync(new InstanceAddedRequest("dc1-1", "i-9", Slot("dc1", 1).Address, VolumeEmpty: true), default);
        Assert.True(added.Accepted);
        var list = await h.Hooks.ListInstancesAsync(default);
        Assert.Equal(InstancePhase.AwaitingBoot, list.Instances.Single(i => i.Slot == "dc1-1").Phase);
        Assert.False((await h.Hooks.InstanceAddedAsync(new InstanceAddedRequest("nope", "i-1", "x", true), default)).Accepted);
        var raw = new HttpClient(new AutoscalerHooksHandler(h.Autoscaler));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await raw.GetAsync("http://agent/hooks/v1/nothing")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, (await raw.GetAsync("http://agent/hooks/v1/boot")).StatusCode);
        var bad = await raw.PostAsync("http://agent/hooks/v1/boot", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
