using k8s;
using k8s.Models;
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

    /// <summary>An Apocryph payment channel's unlock time when the stack does not set unlockSeconds.</summary>
    public const string DefaultUnlockSeconds = "3600";

    /// <summary>How an Apocryph pod's secret files travel when the stack does not set secrets: encrypted on IPFS, as tpodctl.</summary>
    public const string DefaultSecretDelivery = "ipfs";

    /// <summary>Provider names the program registers beside the stack's own (not valid stack provider names).</summary>
    public const string RandomProvider = "_random";
    public const string ComposeProvider = "_compose";

    public static Topology Declare(ResourceGraph graph, StackSpec stack)
    {
        var topology = Topology.Build(stack);
        var cluster = graph.Component(ResourceTypes.Cluster, stack.Cluster.Name, inputs: PropertyMap.Of(("image", stack.Cluster.Image)));
        var password = graph.Resource(ResourceTypes.Password, $"{stack.Cluster.Name}-superuser", RandomProvider, PropertyMap.Of(("length", 32)), cluster);
        var security = SecurityMaterial.Declare(graph, topology, cluster);
        var plans = topology.Slots.Select(s => NodePlan.For(topology, s, security[s.Name].Files)).ToList();
        var deployed = new List<ResourceDeclaration>();
        var pods = new Dictionary<string, ResourceDeclaration>();

        foreach (var dc in plans.GroupBy(p => p.Slot.Datacenter))
        {
            var provider = stack.Provider(dc.First().Slot.Provider);
            var kind = provider.Kind.ToString().ToLowerInvariant();
            var datacenter = graph.Component(ResourceTypes.Datacenter, dc.Key, cluster, PropertyMap.Of(("provider", provider.Name), ("kind", kind)));
            var ns = provider.Setting("namespace") ?? stack.Cluster.Name;
            var dcObjects = KubernetesManifests.Datacenter(topology, dc.Key, ns, nodeSetup: provider.Setting("nodeSetup") == "true");
            IReadOnlyList<ResourceDeclaration> dcResources = provider.Kind switch
            {
                ProviderKind.Render => [File(graph, provider.Name, datacenter, "kubernetes-datacenter.yaml", KubernetesManifests.ToYaml(dcObjects))],
                ProviderKind.Kubernetes => Objects(graph, provider, datacenter, dcObjects, new Dictionary<string, PropertyValue>(), []),
                ProviderKind.Apocryph => [],
                _ => throw new NotSupportedException($"provider '{provider.Name}' is of kind {kind}, which this build can render but not deploy yet; use kind render to write its manifests"),
            };
            foreach (var plan in dc)
            {
                var slot = plan.Slot;
                var node = graph.Component(ResourceTypes.Node, slot.Name, datacenter, PropertyMap.Of(
                    ("datacenter", slot.Datacenter), ("rack", slot.Rack), ("ordinal", slot.Ordinal), ("address", slot.Address), ("arbiter", slot.IsArbiter)));
                var tokens = new Dictionary<string, PropertyValue>(security[slot.Name].Tokens) { [ScyllaNodeConfig.SuperuserHashToken] = password.Output("sha512crypt") };
                var fileValues = plan.Files.ToDictionary(f => f.Key, f => Template.Fill(f.Text, tokens));
                var k8sTokens = plan.Files.Where(f => f.Secret).ToDictionary(f => KubernetesManifests.SecretDataToken(f.Key), f => PropertyValue.Apply("base64", fileValues[f.Key]));
                var nodeObjects = KubernetesManifests.Node(plan, ns, provider.Setting("storageClass"), provider.Setting("priorityClass"));
                if (provider.Kind == ProviderKind.Apocryph)
                {
                    deployed.Add(pods[slot.Name] = ApocryphPod(graph, provider, node, plan, fileValues));
                    continue;
                }
                if (provider.Kind == ProviderKind.Kubernetes)
                {
                    deployed.AddRange(Objects(graph, provider, node, nodeObjects, k8sTokens, dcResources));
                    continue;
                }
                foreach (var f in plan.Files) deployed.Add(File(graph, provider.Name, node, $"{slot.Name}/{f.RenderedPath}", fileValues[f.Key]));
                deployed.Add(File(graph, provider.Name, node, $"{slot.Name}/kubernetes.yaml", Template.Fill(KubernetesManifests.ToYaml(nodeObjects), k8sTokens)));
                // Summary.ApocryphManifestNote says why nebula mode gets no Apocryph manifest.
                if (!ApocryphPodManifest.CanWork(topology.Cluster)) continue;
                var podTokens = plan.Files.ToDictionary(f => $"\"{ApocryphPodManifest.ContentToken(f.Key)}\"", f => PropertyValue.Apply("json", fileValues[f.Key]));
                deployed.Add(File(graph, provider.Name, node, $"{slot.Name}/apocryph-pod.json", Template.Fill(ApocryphPodManifest.Render(plan), podTokens)));
            }
        }

        if (stack.ComposeDirectory is not null)
        {
            var composeDir = Path.GetFullPath(stack.ComposeDirectory, "/project");
            string ConfigDir(NodeSlot s) =>
                Path.GetRelativePath(composeDir, Path.GetFullPath(Path.Combine(stack.Provider(s.Provider).Setting("directory") ?? s.Provider, s.Name), "/project"));
            File(graph, ComposeProvider, cluster, "docker-compose.yaml", ComposeFile.Render(topology, plans, ConfigDir));
            File(graph, ComposeProvider, cluster, CqlshConfig.KeyspacesFile, KeyspacePlan.Cql(topology));
            File(graph, ComposeProvider, cluster, "summary.md", Summary.Markdown(topology, plans));
            // What the cqlsh services mount: the superuser's login, and in tls mode the CA and the client certificate.
            File(graph, ComposeProvider, cluster, CqlshConfig.FileName,
                Template.Fill(CqlshConfig.Render(topology), new Dictionary<string, PropertyValue> { [CqlshConfig.PasswordToken] = password.Output("result") }));
            if (stack.Cluster.Security == SecurityMode.Tls)
            {
                File(graph, ComposeProvider, cluster, CqlshConfig.CaFile, graph.Outputs["caCertificate"]);
                File(graph, ComposeProvider, cluster, CqlshConfig.ClientCertificateFile, graph.Outputs["clientCertificate"]);
                File(graph, ComposeProvider, cluster, CqlshConfig.ClientKeyFile, graph.Outputs["clientKey"]);
            }
        }

        ClusterOperations.Declare(graph, topology, cluster, deployed);
        graph.Export("clusterName", stack.Cluster.Name);
        graph.Export("superuserName", stack.Cluster.SuperuserName);
        graph.Export("superuserPassword", password.Output("result"));
        graph.Export("nodes", PropertyValue.Array(plans.Select(p => (PropertyValue)PropertyMap.Of(
            ("name", p.Slot.Name), ("provider", p.Slot.Provider), ("datacenter", p.Slot.Datacenter), ("rack", p.Slot.Rack),
            // An Apocryph node's ports are those its provider answered (a pod output), not only those asked for.
            ("address", p.Slot.Address), ("ports", pods.TryGetValue(p.Slot.Name, out var pod) ? (PropertyValue)pod.Output("ports")
                : string.Join(" ", p.Ports.Select(port => $"{port.Port}/{port.Name}"))),
            ("seed", topology.IsSeed(p.Slot)), ("role", p.Slot.IsArbiter ? "arbiter (zero-token)" : "data")))));
        return topology;
    }

    /// <summary>
    /// A node on an Apocryph provider: its pod manifest as the provider accepts it directly (secret files as
    /// `contents`), the provider it is recorded on, and the payment its channel holds. The whole manifest is secret.
    /// </summary>
    private static ResourceDeclaration ApocryphPod(ResourceGraph graph, ProviderSpec provider, ResourceDeclaration node, NodePlan plan,
        IReadOnlyDictionary<string, PropertyValue> fileValues)
    {
        var tokens = plan.Files.ToDictionary(f => $"\"{ApocryphPodManifest.ContentToken(f.Key)}\"",
            f => PropertyValue.Format("\"", PropertyValue.Apply("base64", fileValues[f.Key]), "\""));
        var inputs = PropertyMap.Of(
            ("slot", plan.Slot.Name),
            ("publicHost", provider.Setting("publicHost") ?? ""),
            ("providerAddress", provider.Setting("ethAddress") ?? ""),
            ("providerId", provider.Setting("providerId") ?? ""),
            ("providerUrl", provider.Setting("providerUrl") ?? ""),
            ("funds", provider.Setting("funds") ?? ""),
            ("unlockSeconds", provider.Setting("unlockSeconds") ?? DefaultUnlockSeconds),
            ("secrets", provider.Setting("secrets") ?? DefaultSecretDelivery),
            ("manifest", PropertyValue.Secret(Template.Fill(ApocryphPodManifest.RenderForProvider(plan), tokens))));
        return graph.Resource(ResourceTypes.ApocryphPod, $"{provider.Name}/{plan.Slot.Name}", provider.Name, inputs, node);
    }

    private static ResourceDeclaration File(ResourceGraph graph, string provider, ResourceDeclaration parent, string path, PropertyValue content) =>
        graph.Resource(ResourceTypes.File, $"{provider.TrimStart('_')}/{path}", provider, PropertyMap.Of(("path", path), ("content", content)), parent);

    /// <summary>
    /// Kubernetes objects as resources of a provider of kind kubernetes: everything after <paramref name="after"/>
    /// (the namespace first), and a workload after the configuration it mounts. The provider's awaitTimeout and
    /// skipAwait settings go to every object.
    /// </summary>
    private static IReadOnlyList<ResourceDeclaration> Objects(ResourceGraph graph, ProviderSpec providerSpec, ResourceDeclaration parent,
        IReadOnlyList<IKubernetesObject> objects, IReadOnlyDictionary<string, PropertyValue> tokens, IReadOnlyList<ResourceDeclaration> after)
    {
        var provider = providerSpec.Name;
        var declared = new List<ResourceDeclaration>();
        foreach (var o in objects.OrderBy(o => o.Kind == "StatefulSet" ? 1 : 0))
        {
            var meta = ((IMetadata<V1ObjectMeta>)o).Metadata;
            var first = o.Kind == "Namespace"
                ? []
                : after.Concat(declared.Where(d => o.Kind == "StatefulSet" || d.Type.EndsWith(":Namespace", StringComparison.Ordinal))).Select(d => d.Urn).ToList();
            var inputs = PropertyMap.Of(("apiVersion", (PropertyValue)o.ApiVersion), ("kind", o.Kind), ("name", meta.Name),
                // JSON is YAML too, and it is what the client's apply patch carries.
                ("manifest", Template.Fill(ManifestJson.Serialize(o), tokens)));
            if (meta.NamespaceProperty is { } ns) inputs = inputs.With("namespace", ns);
            // A node's Service must exist before its pod starts (the node's address is the Service's name), so it
            // cannot wait for that pod to give it endpoints; the StatefulSet's rollout waits for the pod instead.
            if (providerSpec.Setting("skipAwait") == "true" || o.Kind == "Service") inputs = inputs.With("skipAwait", true);
            if (providerSpec.Setting("awaitTimeout") is { } timeout) inputs = inputs.With("awaitTimeoutSeconds", PkiSpec.TryParseDuration(timeout, out var t) ? t.TotalSeconds : 0);
            declared.Add(graph.Resource(KubernetesType(o.ApiVersion, o.Kind), $"{provider}/{o.Kind}/{meta.NamespaceProperty}/{meta.Name}".Replace("//", "/"), provider,
                inputs, parent, new ResourceOptions { DependsOn = first }));
        }
        return declared;
    }

    private static string KubernetesType(string apiVersion, string kind) => $"kubernetes:{(apiVersion.Contains('/') ? apiVersion : "core/" + apiVersion)}:{kind}";
}
