using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Components.Cluster;

/// <summary>
/// The resources that act on the running cluster rather than deploy it: membership reconciliation (runs on every
/// up once the nodes are deployed) and the autoscaler registration.
/// </summary>
public static class ClusterOperations
{
    public const string MembershipProvider = "_membership";
    public const string AutoscalerProvider = "_autoscaler";

    /// <summary>
    /// How long one <c>up</c> waits for membership to converge (joins, replacements and decommissions one at a time)
    /// before it fails. The README quotes this number; the reconciler and the resource's timeouts derive from it.
    /// </summary>
    public static readonly TimeSpan ConvergenceLimit = TimeSpan.FromHours(2);

    public static void Declare(ResourceGraph graph, Topology topology, ResourceDeclaration cluster, IReadOnlyList<ResourceDeclaration> deployed)
    {
        var spec = topology.Cluster;
        if (spec.Membership is not null)
        {
            var membership = graph.Resource(ResourceTypes.Membership, $"{spec.Name}-membership", MembershipProvider, MembershipInputs(topology), cluster,
                new ResourceOptions
                {
                    DependsOn = [.. deployed.Select(d => d.Urn)],
                    // Joining, replacing or decommissioning nodes one at a time takes a while; never forever. The reconciler
                    // gives up at the limit with its reasons; the engine's timeout is only the backstop behind it.
                    Timeouts = new CustomTimeouts(Create: ConvergenceLimit + EngineBackstop,
                        Update: ConvergenceLimit + EngineBackstop),
                });
            graph.Export("membership", membership.Output("nodes"));
            graph.Export("membershipStatus", membership.Output("status"));
        }
        if (spec.Autoscaler is { } autoscaler)
        {
            graph.Resource(ResourceTypes.AutoscalerRegistration, $"{spec.Name}-autoscaler", AutoscalerProvider, PropertyMap.Of(
                ("endpoint", autoscaler.Endpoint.ToString()), ("nodeGateway", autoscaler.NodeGateway),
                ("servers", PropertyValue.Array(autoscaler.Servers.Select(s => (PropertyValue)s))), ("timeoutSeconds", autoscaler.TimeoutSeconds)), cluster);
        }
    }

    private static readonly TimeSpan EngineBackstop = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The Membership resource's inputs: every slot with its fixed address (the arbiter as zero-token), and per data
    /// datacenter the replication factor that must survive a removal: the highest any keyspace uses there.
    /// </summary>
    public static PropertyMap MembershipInputs(Topology topology)
    {
        var rf = MembershipReplicationFactors(topology);
        var inputs = PropertyMap.Of(
            ("slots", PropertyValue.Array(topology.Slots.Select(s => (PropertyValue)PropertyMap.Of(
                ("slot", s.Name), ("datacenter", s.Datacenter), ("ordinal", s.Ordinal), ("address", s.Address), ("zeroToken", s.IsArbiter))))),
            ("replicationFactors", PropertyMap.From(rf.Select(kv => KeyValuePair.Create(kv.Key, (PropertyValue)kv.Value)))),
            ("failureDetectorTimeoutMs", topology.Cluster.FailureDetectorTimeoutMs));
        // With node agents deployed, one of them acts; up only waits for them (they must not fight).
        return topology.Cluster.AgentImage is null ? inputs : inputs.With("agentsAct", true);
    }

    /// <summary>Per datacenter, the highest RF any keyspace uses there (retired datacenters: 0); shared with the node agents.</summary>
    public static Dictionary<string, int> MembershipReplicationFactors(Topology topology)
    {
        var keyspaces = topology.Cluster.Keyspaces.Count > 0 ? topology.Cluster.Keyspaces : [new KeyspaceSpec("default")];
        var rf = topology.Cluster.Datacenters.ToDictionary(d => d.Name, d => keyspaces.Max(k => KeyspacePlan.Replication(topology, k)[d.Name]));
        foreach (var retired in topology.Cluster.Membership?.RetiredDatacenters ?? []) rf.TryAdd(retired, 0);
        return rf;
    }
}
