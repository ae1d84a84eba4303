using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Components.Cluster;

/// <summary>
/// The ScyllaDB cluster component: Cluster -> Datacenter (one per provider) -> Node, and under each node the
/// resources that deploy it on its provider. Pure: configuration in, resource declarations out.
/// </summary>
public static class ScyllaCluster
{
    public const string ClusterType = "scylla:index:Cluster";
    public const string DatacenterType = "scylla:index:Datacenter";
    public const string NodeType = "scylla:index:Node";
    public const string FileType = "render:index:File";

    public static Topology Declare(ResourceGraph graph, StackSpec stack)
    {
        var topology = Topology.Build(stack.Cluster);
        var cluster = graph.Component(ClusterType, stack.Cluster.Name, inputs: PropertyMap.Of(("image", stack.Cluster.Image)));
        var nodeRows = new List<PropertyValue>();
        foreach (var dc in stack.Cluster.Datacenters)
        {
            var provider = stack.Provider(dc.Provider);
            var datacenter = graph.Component(DatacenterType, dc.Name, cluster,
                PropertyMap.Of(("provider", provider.Name), ("kind", provider.Kind.ToString().ToLowerInvariant())));
            foreach (var slot in topology.InDatacenter(dc.Name))
            {
                var node = graph.Component(NodeType, slot.Name, datacenter,
                    PropertyMap.Of(("datacenter", slot.Datacenter), ("rack", slot.Rack), ("ordinal", slot.Ordinal), ("address", slot.Address)));
                if (provider.Kind != ProviderKind.Render)
                    throw new NotSupportedException($"provider '{provider.Name}' is of kind {provider.Kind}, which this build cannot deploy yet; use kind render");
                graph.Resource(FileType, $"{slot.Name}/scylla.yaml", provider.Name,
                    PropertyMap.Of(("path", $"{slot.Name}/scylla.yaml"), ("content", ScyllaNodeConfig.ScyllaYaml(topology, slot))), node);
                graph.Resource(FileType, $"{slot.Name}/cassandra-rackdc.properties", provider.Name,
                    PropertyMap.Of(("path", $"{slot.Name}/cassandra-rackdc.properties"), ("content", ScyllaNodeConfig.RackDcProperties(slot))), node);
                nodeRows.Add(PropertyMap.Of(
                    ("name", slot.Name), ("provider", provider.Name), ("datacenter", slot.Datacenter), ("rack", slot.Rack),
                    ("address", slot.Address), ("seed", topology.IsSeed(slot))));
            }
        }
        graph.Export("clusterName", stack.Cluster.Name);
        graph.Export("nodes", PropertyValue.Array(nodeRows));
        return topology;
    }
}
