using System.Text.RegularExpressions;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Tests.Components;
using ScyllaApocryph.Tests.Infra;
using YamlDotNet.RepresentationModel;
using static ScyllaApocryph.Tests.Membership.MembershipHarness;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>
/// The first up of a stack with membership creates the nodes and the operator's overlay certificate together, so the
/// machine running it cannot be on the overlay yet.
/// </summary>
public sealed class FirstUpTests
{
    private static readonly Urn Urn = Urn.Create("dev", "scylla", null, MembershipProvider.Type, "membership");

    private static PropertyMap Inputs(IEnumerable<SlotSpec> slots) => PropertyMap.Of(
        ("slots", PropertyValue.Array(slots.Select(s => (PropertyValue)PropertyMap.Of(
            ("slot", s.Slot), ("datacenter", s.Datacenter), ("ordinal", s.Ordinal), ("address", s.Address))))),
        ("replicationFactors", PropertyMap.Of(("dc1", 3))));

    private static MembershipProvider Provider(MembershipHarness h, TimeSpan? converge = null) =>
        new(new MembershipProviderContext(new HttpClient(h.Cluster), new DirectEndpointResolver(), h.Hooks, h.Lease, h.Journal, h.Clock,
            new ReconcilerOptions("provider") { PollInterval = Poll, ConvergeTimeout = converge ?? ClusterOperations.ConvergenceLimit })
        { Rest = new ScyllaRestOptions { GetRetries = 0 } });

    [Fact]
    public async Task On_a_stack_whose_nodes_never_answered_up_says_what_the_operator_must_do_and_succeeds_without_acting()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        foreach (var slot in slots)
        {
            h.Autoscaler.AddSlot(slot);
            h.Autoscaler.Recreate(slot.Slot); // instances exist, waiting to boot, but nothing answers on the overlay
        }

        var start = h.Clock.GetUtcNow();
        var created = await Driven(h, Provider(h, TimeSpan.FromMinutes(1)).CreateAsync(new CreateRequest(Urn, MembershipProvider.Type, Inputs(slots)), default));

        Assert.True(h.Clock.GetUtcNow() - start < TimeSpan.FromMinutes(1), "it waited for the cluster");
        Assert.Equal(false, created.Outputs.Get("reached")!.AsBool);
        Assert.Equal(false, created.Outputs.Get("converged")!.AsBool);
        Assert.Contains("operatorNebulaCertificate", created.Outputs.GetString("status"));
        Assert.Contains("stack output --show-secrets", created.Outputs.GetString("status"));
        Assert.Empty(h.Autoscaler.Boots);
        Assert.Empty(h.Cluster.Accepted);

        // Again on the next up, while the operator has not joined yet.
        var again = await Driven(h, Provider(h, TimeSpan.FromMinutes(1)).UpdateAsync(
            new UpdateRequest(Urn, MembershipProvider.Type, "membership", Inputs(slots), created.Outputs, Inputs(slots)), default));
        Assert.Equal(false, again.Outputs.Get("reached")!.AsBool);
        Assert.Empty(h.Autoscaler.Boots);
    }

    /// <summary>Lets simulated time pass, a poll at a time, until <paramref name="task"/> ends (bounded).</summary>
    private static async Task<T> Driven<T>(MembershipHarness h, Task<T> task)
    {
        for (var i = 0; i < 1000 && !task.IsCompleted; i++)
        {
            await Task.Delay(1);
            if (!task.IsCompleted) h.Clock.Advance(Poll);
        }
        return await task;
    }

    [Fact]
    public async Task Once_a_node_has_answered_an_unreachable_cluster_fails_the_up_at_the_convergence_limit()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        foreach (var slot in slots) h.Autoscaler.AddSlot(slot);
        var before = PropertyMap.Of(("reached", true), ("nodes", PropertyValue.Array()));

        var update = Provider(h, TimeSpan.FromMinutes(1)).UpdateAsync(
            new UpdateRequest(Urn, MembershipProvider.Type, "membership", Inputs(slots), before, Inputs(slots)), default);

        await Assert.ThrowsAsync<TimeoutException>(() => Driven(h, update));
    }

    [Fact]
    public async Task Preview_of_a_stack_whose_nodes_never_answered_shows_the_same_instruction()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        foreach (var slot in slots) h.Autoscaler.AddSlot(slot);
        var unreachableHooks = new AutoscalerHooksClient(new HttpClient(new FailingHandler()), new Uri("http://agent.invalid/"));
        var provider = new MembershipProvider(new MembershipProviderContext(new HttpClient(h.Cluster), new DirectEndpointResolver(), unreachableHooks,
            h.Lease, h.Journal, h.Clock, new ReconcilerOptions("provider")) { Rest = new ScyllaRestOptions { GetRetries = 0 } });

        var diff = await provider.DiffAsync(new DiffRequest(Urn, MembershipProvider.Type, "membership", PropertyMap.Empty, PropertyMap.Empty, Inputs(slots)), default);

        Assert.Equal([MembershipProvider.NeverReachedStatus], diff.Notes);
    }

    /// <summary>The node agent serving the hooks is not reachable either.</summary>
    private sealed class FailingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("connection refused");
    }

    [Fact]
    public void The_convergence_limit_the_readme_states_is_the_one_the_code_uses()
    {
        var readme = File.ReadAllText(Path.Combine(StackConfigTests.RepositoryRoot(), "README.md"));

        var stated = Regex.Matches(readme, @"waits for convergence \(at most (\d+) hours\)").Select(m => int.Parse(m.Groups[1].Value)).ToList();

        Assert.Equal([(int)ClusterOperations.ConvergenceLimit.TotalHours], stated);
        Assert.Equal(ClusterOperations.ConvergenceLimit, new ReconcilerOptions("x").ConvergeTimeout);
    }

    [Fact]
    public void A_stack_with_membership_exports_the_operators_nebula_config_and_the_membership_status()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        stack = stack with { Cluster = stack.Cluster with { Membership = new ReconciliationSpec(new Uri("http://agent/"), "ops") } };
        var graph = new ResourceGraph("test", "scylla-apocryph");

        ScyllaCluster.Declare(graph, stack);

        Assert.NotNull(graph.Outputs.Get("operatorNebulaConfig"));
        Assert.NotNull(graph.Outputs.Get("membershipStatus"));
        Assert.NotNull(graph.Outputs.Get("operatorNebulaCertificate"));
    }

    [Fact]
    public void The_operators_nebula_config_names_the_nodes_lighthouses_and_their_addresses()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        stack = stack with { Cluster = stack.Cluster with { Membership = new ReconciliationSpec(new Uri("http://agent/"), "ops") } };
        var topology = Topology.Build(stack);

        var yaml = new YamlStream();
        yaml.Load(new StringReader(SecurityMaterial.OperatorNebulaConfig(topology).Replace("__nebula_blocklist__", "[]")));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;

        var lighthouses = ((YamlSequenceNode)root["lighthouse"]["hosts"]).Select(n => n.ToString()).ToList();
        var firsts = topology.Slots.Where(s => s.Ordinal == 0).Select(s => s.OverlayIp).ToList();
        Assert.Equal(firsts.Order(), lighthouses.Order());
        Assert.All(firsts, ip => Assert.True(((YamlMappingNode)root["static_host_map"]).Children.ContainsKey(new YamlScalarNode(ip))));
        Assert.Equal("false", root["lighthouse"]["am_lighthouse"].ToString());
        Assert.Equal("operator.crt", root["pki"]["cert"].ToString());
        Assert.Empty((YamlSequenceNode)root["firewall"]["inbound"]);
    }
}
