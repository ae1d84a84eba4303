using ScyllaApocryph.Components.Apocryph;
using ScyllaApocryph.Components.Compose;
using ScyllaApocryph.Components.Kubernetes;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Components.Cluster;

/// <summary>
/// The ScyllaDB cluster component: Cluster -> Datacenter (one per provider) -> Node, and under each node the
/// resources that deploy it on its provider. Pure: configuration in, resource declarations out; rendering is
/// deterministic, and values known only after apply (the generated superuser password) enter through references.
/// </summary>
public static class ScyllaCluster
{
    public const string ClusterType = "scylla:index:Cluster";
    public const string DatacenterType = "scylla:index:Datacenter";
    public const string NodeType = "scylla:index:Node";
    public const string FileType = "render:index:File";
    public const string PasswordType = "random:index:Password";

    /// <summary>Provider names the program registers beside the stack's own (not valid stack provider names).</summary>
    public const string RandomProvider = "_random";
    public const string ComposeProvider = "_compose";

    public static Topology Declare(ResourceGraph graph, StackSpec stack)
    {
        var topology = Topology.Build(stack);
        var cluster = graph.Component(ClusterType, stack.Cluster.Name, inputs: PropertyMap.Of(("image", stack.Cluster.Image)));
        var password = graph.Resource(PasswordType, $"{stack.Cluster.Name}-superuser", RandomProvider, PropertyMap.Of(("length", 32)), cluster);
        var tokens = new Dictionary<string, PropertyValue> { [ScyllaNodeConfig.SuperuserHashToken] = password.Output("sha512crypt") };
        var plans = topology.Slots.Select(s => NodePlan.For(topology, s)).ToList();

        foreach (var dc in plans.GroupBy(p => p.Slot.Datacenter))
        {
            var provider = stack.Provider(dc.First().Slot.Provider);
            if (provider.Kind != ProviderKind.Render)
                throw new NotSupportedException($"provider '{provider.Name}' is of kind {provider.Kind.ToString().ToLowerInvariant()}, which this build can render but not deploy yet; use kind render to write its manifests");
            var datacenter = graph.Component(DatacenterType, dc.Key, cluster, PropertyMap.Of(("provider", provider.Name), ("kind", "render")));
            var ns = stack.Cluster.Name;
            File(graph, provider.Name, datacenter, "kubernetes-datacenter.yaml", KubernetesManifests.ToYaml(KubernetesManifests.Datacenter(topology, dc.Key, ns)));
            foreach (var plan in dc)
            {
                var slot = plan.Slot;
                var node = graph.Component(NodeType, slot.Name, datacenter, PropertyMap.Of(
                    ("datacenter", slot.Datacenter), ("rack", slot.Rack), ("ordinal", slot.Ordinal), ("address", slot.Address), ("arbiter", slot.IsArbiter)));
                var fileValues = plan.Files.ToDictionary(f => f.Key, f => Template.Fill(f.Text, tokens));
                foreach (var f in plan.Files) File(graph, provider.Name, node, $"{slot.Name}/{f.Key}", fileValues[f.Key]);
                var k8sTokens = plan.Files.Where(f => f.Secret).ToDictionary(f => KubernetesManifests.SecretDataToken(f.Key), f => PropertyValue.Apply("base64", fileValues[f.Key]));
                File(graph, provider.Name, node, $"{slot.Name}/kubernetes.yaml",
                    Template.Fill(KubernetesManifests.ToYaml(KubernetesManifests.Node(plan, ns, storageClass: null)), k8sTokens));
                var podTokens = plan.Files.ToDictionary(f => $"\"{ApocryphPodManifest.ContentToken(f.Key)}\"", f => PropertyValue.Apply("json", fileValues[f.Key]));
                File(graph, provider.Name, node, $"{slot.Name}/apocryph-pod.json", Template.Fill(ApocryphPodManifest.Render(plan), podTokens));
            }
        }

        if (stack.ComposeDirectory is not null)
        {
            var composeDir = Path.GetFullPath(stack.ComposeDirectory, "/project");
            string ConfigDir(NodeSlot s) =>
                Path.GetRelativePath(composeDir, Path.GetFullPath(Path.Combine(stack.Provider(s.Provider).Setting("directory") ?? s.Provider, s.Name), "/project"));
            File(graph, ComposeProvider, cluster, "docker-compose.yaml", ComposeFile.Render(topology, plans, ConfigDir));
            File(graph, ComposeProvider, cluster, "keyspaces.cql", KeyspacePlan.Cql(topology));
            File(graph, ComposeProvider, cluster, "summary.md", Summary.Markdown(topology, plans));
        }

        graph.Export("clusterName", stack.Cluster.Name);
        graph.Export("superuserName", stack.Cluster.SuperuserName);
        graph.Export("superuserPassword", password.Output("result"));
        graph.Export("nodes", PropertyValue.Array(plans.Select(p => (PropertyValue)PropertyMap.Of(
            ("name", p.Slot.Name), ("provider", p.Slot.Provider), ("datacenter", p.Slot.Datacenter), ("rack", p.Slot.Rack),
            ("address", p.Slot.Address), ("ports", string.Join(" ", p.Ports.Select(port => $"{port.Port}/{port.Name}"))),
            ("seed", topology.IsSeed(p.Slot)), ("role", p.Slot.IsArbiter ? "arbiter (zero-token)" : "data")))));
        return topology;
    }

    private static void File(ResourceGraph graph, string provider, ResourceDeclaration parent, string path, PropertyValue content) =>
        graph.Resource(FileType, $"{provider.TrimStart('_')}/{path}", provider, PropertyMap.Of(("path", path), ("content", content)), parent);
}
