using System.Net;
using ScyllaApocryph.Components.Mesh;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Components.Cluster;

/// <summary>What a node gets from the cluster's PKI: extra files, and the values that fill their placeholders.</summary>
public sealed record NodeSecurity(IReadOnlyList<NodeFile> Files, IReadOnlyDictionary<string, PropertyValue> Tokens)
{
    public static readonly NodeSecurity None = new([], new Dictionary<string, PropertyValue>());
}

/// <summary>
/// The certificate authorities and certificates of the security mode, as resources: in <c>tls</c> mode a cluster CA,
/// a node certificate per slot (SANs for every address a peer or client may dial) and a client certificate for the
/// application; in <c>nebula</c> mode a Nebula CA, a certificate per slot with its fixed overlay IP and groups,
/// the blocklist every node carries, and each node's Nebula configuration. Keys exist only as engine secrets.
/// </summary>
public static class SecurityMaterial
{
    public const string TlsProvider = "_tls";
    public const string NebulaProvider = "_nebula";
    public const string NebulaDirectory = "/etc/nebula";
    public const string NebulaConfigPath = NebulaDirectory + "/nebula.yaml";
    private const string BlocklistToken = "__nebula_blocklist__";

    public const string WalletProvider = "_wallet";

    public static IReadOnlyDictionary<string, NodeSecurity> Declare(ResourceGraph graph, Topology topology, ResourceDeclaration cluster)
    {
        var (material, certificates) = topology.Cluster.Security switch
        {
            SecurityMode.Tls => Tls(graph, topology, cluster),
            SecurityMode.Nebula => Nebula(graph, topology, cluster),
            _ => (topology.Slots.ToDictionary(s => s.Name, _ => NodeSecurity.None), []),
        };
        if (topology.Cluster.MembershipProof is not { } proof || certificates.Count == 0) return material;
        // The application's wallet vouches for each node's certificate key; peers check the signer's address.
        return material.ToDictionary(kv => kv.Key, kv =>
        {
            var inputs = PropertyMap.Of(("cluster", topology.Cluster.Name), ("kind", topology.Cluster.Security == SecurityMode.Tls ? "tls" : "nebula"),
                ("publicKey", certificates[kv.Key].Output("publicKey")));
            if (proof.KeyEnv is not null) inputs = inputs.With("keyEnv", proof.KeyEnv);
            if (proof.KeyFile is not null) inputs = inputs.With("keyFile", proof.KeyFile);
            if (proof.Address is not null) inputs = inputs.With("address", proof.Address);
            var signed = graph.Resource(ResourceTypes.MembershipProof, $"{kv.Key}-proof", WalletProvider, inputs, cluster);
            const string token = "@@membership-proof@@";
            var file = new NodeFile("membership-proof.json", $"{ScyllaNodeConfig.TlsDirectory}/membership-proof.json", token, Secret: true);
            var tokens = new Dictionary<string, PropertyValue>(kv.Value.Tokens)
            {
                [token] = PropertyValue.Format("{\"message\": ", PropertyValue.Apply("json", signed.Output("message")),
                    ", \"signer\": ", PropertyValue.Apply("json", signed.Output("signer")),
                    ", \"signature\": ", PropertyValue.Apply("json", signed.Output("signature")), "}\n"),
            };
            return new NodeSecurity([.. kv.Value.Files, file], tokens);
        });
    }

    /// <summary>The role groups a node certificate carries besides its cluster's and its datacenter's.</summary>
    public static readonly IReadOnlyList<string> RoleGroups = ["scylla", "arbiter", "lighthouse"];

    /// <summary>Every group some node certificate of the cluster may carry: the cluster, each datacenter and the roles.</summary>
    public static IReadOnlySet<string> NodeGroups(ClusterSpec cluster) =>
        new[] { cluster.Name }
            .Concat(cluster.Datacenters.Select(d => d.Name))
            .Concat(cluster.Arbiter is { } a ? [a.Datacenter] : [])
            .Concat(RoleGroups)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The groups one node's certificate carries: the cluster, its datacenter, its role, and <c>lighthouse</c> on a lighthouse.</summary>
    public static IReadOnlyList<string> NodeGroups(ClusterSpec cluster, NodeSlot slot, bool lighthouse) =>
        new[] { cluster.Name, slot.Datacenter, slot.IsArbiter ? "arbiter" : "scylla" }
            .Concat(lighthouse ? ["lighthouse"] : [])
            .Distinct(StringComparer.Ordinal) // the arbiter's datacenter is called "arbiter" by default
            .ToList();

    /// <summary>The mesh as the planner sees it; also validated with the stack, so a bad mesh stops before anything runs.</summary>
    public static NebulaMeshSpec MeshSpec(Topology topology) => new(
        [.. topology.Slots.Select(s => new NebulaMeshNode(s.Name, s.Datacenter, s.OverlayIp, PublicHost(topology, s), NebulaPort(topology.Cluster, s)))],
        ClusterGroup: topology.Cluster.Name,
        OperatorGroup: topology.Cluster.Membership?.OperatorGroup,
        Ports: ListenPorts(topology.Cluster));

    /// <summary>The ports scylla.yaml makes ScyllaDB listen on (see <see cref="ScyllaNodeConfig.ScyllaYaml"/>), for the overlay firewall.</summary>
    public static ScyllaListenPorts ListenPorts(ClusterSpec cluster) => new(
        Internode: cluster.Ports.Storage,
        InternodeTls: cluster.Ports.SslStorage,
        Cql: cluster.Ports.Cql,
        CqlShardAware: Defaults.Ports.CqlShardAware,
        Rest: Defaults.Ports.RestApi,
        Agent: cluster.AgentImage is null ? null : cluster.Ports.Agent);

    /// <summary>The files the operator's Nebula config names, relative to the directory nebula is started in.</summary>
    public static readonly NebulaPki OperatorNebulaFiles = new("nebula-ca.crt", "operator.crt", "operator.key", []) { BlocklistPlaceholder = BlocklistToken };

    /// <summary>
    /// The config the operator's machine joins the overlay with (membership): not a lighthouse, a random UDP port,
    /// the nodes' lighthouses and static_host_map, and a firewall that lets it dial out and nothing in. The
    /// blocklist is left as <see cref="BlocklistToken"/> for the caller to fill.
    /// </summary>
    public static string OperatorNebulaConfig(Topology topology)
    {
        var mesh = MeshSpec(topology);
        var lighthouses = NebulaMeshPlanner.LighthouseNames(mesh);
        var map = NebulaMeshPlanner.Plan(mesh)[0].StaticHostMap;
        var config = new NebulaNodeConfig($"{topology.Cluster.Name}-operator", OperatorOverlayIp(topology.Cluster), AmLighthouse: false,
            Lighthouses: [.. mesh.Nodes.Where(n => lighthouses.Contains(n.Name)).Select(n => n.OverlayIp)], StaticHostMap: map,
            Firewall: new NebulaFirewall([], [new NebulaFirewallRule("any", "any", Host: "any")]), ListenPort: 0, Mtu: mesh.Mtu);
        return NebulaConfigRenderer.Render(config, OperatorNebulaFiles);
    }

    /// <summary>The operator's overlay address: a subnet no datacenter uses.</summary>
    public static string OperatorOverlayIp(ClusterSpec cluster) => Topology.OverlayIp(cluster.OverlayCidr, Topology.ArbiterSubnet - 1, 0);

    /// <summary>Whether a provider's nodes are Kubernetes objects (applied by it, or rendered for the operator to apply).</summary>
    public static bool RendersKubernetes(ProviderKind kind) => kind is ProviderKind.Kubernetes or ProviderKind.Render;

    /// <summary>
    /// A node's Nebula UDP port. Where the node is a Kubernetes object it is also the node's NodePort, and NodePorts
    /// are global to a Kubernetes cluster, so each slot there takes the base port plus its ordinal.
    /// </summary>
    public static int NebulaPort(ClusterSpec cluster, NodeSlot slot) =>
        RendersKubernetes(slot.Kind) ? cluster.Ports.NebulaUdp + slot.Ordinal : cluster.Ports.NebulaUdp;

    /// <summary>Where peers send a node's Nebula UDP: its provider's <c>publicHost</c> (a render provider's too), if set.</summary>
    public static string? PublicHost(Topology topology, NodeSlot slot) => topology.Stack.Provider(slot.Provider).Setting("publicHost");

    /// <summary>
    /// Every address a peer or client may dial a node by in tls mode. On Kubernetes that is the per-node Service
    /// under each name cluster DNS resolves (name, name.ns, name.ns.svc, name.ns.svc.cluster.local) and the
    /// provider's publicHost, if set, for clients outside the cluster; in a stack with the one-host trial, the node's
    /// loopback address on the host.
    /// </summary>
    public static IReadOnlyList<string> TlsAddresses(Topology topology, NodeSlot slot)
    {
        var addresses = new List<string> { slot.Address, slot.Name, "localhost", "127.0.0.1" };
        if (slot.Kind == ProviderKind.Kubernetes)
        {
            var provider = topology.Stack.Provider(slot.Provider);
            var ns = provider.Setting("namespace") ?? topology.Cluster.Name;
            addresses.AddRange([$"{slot.Name}.{ns}", $"{slot.Name}.{ns}.svc"]);
            if (provider.Setting("publicHost") is { } publicHost) addresses.Add(publicHost);
        }
        // The one-host trial publishes each node's client ports on a loopback address of its own (see ComposeFile).
        if (topology.Stack.ComposeDirectory is not null && slot.Kind == ProviderKind.Render)
            addresses.Add(Compose.ComposeFile.HostAddress(topology, slot));
        return addresses;
    }

    /// <summary>The CA's inputs with the configured duration and rotation; unset ones stay out, so existing CAs are untouched.</summary>
    private static PropertyMap CaInputs(PkiSpec pki, PropertyMap inputs)
    {
        if (pki.CaDuration is { } duration) inputs = inputs.With("duration", duration);
        return pki.CaRotation > 0 ? inputs.With("rotation", pki.CaRotation) : inputs;
    }

    /// <summary>A certificate's inputs with the configured duration and renewal window; unset ones stay out.</summary>
    private static PropertyMap CertInputs(PkiSpec pki, PropertyMap inputs)
    {
        if (pki.CertDuration is { } duration) inputs = inputs.With("duration", duration);
        return pki.RenewBefore is { } renewBefore ? inputs.With("renewBefore", renewBefore) : inputs;
    }

    private static (Dictionary<string, NodeSecurity>, Dictionary<string, ResourceDeclaration>) Tls(ResourceGraph graph, Topology topology, ResourceDeclaration cluster)
    {
        var certificates = new Dictionary<string, ResourceDeclaration>();
        var name = topology.Cluster.Name;
        var pki = topology.Cluster.Pki;
        var ca = graph.Resource(ResourceTypes.TlsCertificateAuthority, $"{name}-ca", TlsProvider, CaInputs(pki, PropertyMap.Of(("commonName", $"{name} cluster CA"))), cluster);
        var client = graph.Resource(ResourceTypes.TlsCertificate, $"{name}-client", TlsProvider, CertInputs(pki, PropertyMap.Of(
            ("commonName", $"{name} application"), ("usage", "client"), ("caCert", ca.Output("cert")), ("caKey", ca.Output("key")))), cluster);
        graph.Export("caCertificate", ca.Output("cert"));
        graph.Export("clientCertificate", client.Output("cert"));
        graph.Export("clientKey", client.Output("key"));
        var result = new Dictionary<string, NodeSecurity>();
        foreach (var slot in topology.Slots)
        {
            var (dns, ips) = ScyllaTlsSettings.SubjectAlternativeNames(TlsAddresses(topology, slot));
            var cert = graph.Resource(ResourceTypes.TlsCertificate, slot.Name, TlsProvider, CertInputs(pki, PropertyMap.Of(
                ("commonName", slot.Name), ("usage", "node"),
                ("dnsNames", PropertyValue.Array(dns.Select(d => (PropertyValue)d))),
                ("ipAddresses", PropertyValue.Array(ips.Select(i => (PropertyValue)i))),
                ("caCert", ca.Output("cert")), ("caKey", ca.Output("key")))), cluster);
            certificates[slot.Name] = cert;
            var files = ScyllaTlsFiles.In(ScyllaNodeConfig.TlsDirectory);
            result[slot.Name] = new NodeSecurity(
                [
                    new NodeFile("ca.crt", files.Truststore, "@@tls-ca@@", Secret: true),
                    new NodeFile("node.crt", files.Certificate, "@@tls-cert@@", Secret: true),
                    new NodeFile("node.key", files.Key, "@@tls-key@@", Secret: true),
                ],
                new Dictionary<string, PropertyValue>
                {
                    ["@@tls-ca@@"] = ca.Output("cert"), ["@@tls-cert@@"] = cert.Output("cert"), ["@@tls-key@@"] = cert.Output("key"),
                });
        }
        return (result, certificates);
    }

    private static (Dictionary<string, NodeSecurity>, Dictionary<string, ResourceDeclaration>) Nebula(ResourceGraph graph, Topology topology, ResourceDeclaration cluster)
    {
        var name = topology.Cluster.Name;
        var prefix = IPNetwork.Parse(topology.Cluster.OverlayCidr).PrefixLength;
        var settings = topology.Cluster.Pki;
        var ca = graph.Resource(ResourceTypes.NebulaCertificateAuthority, $"{name}-nebula-ca", NebulaProvider, CaInputs(settings, PropertyMap.Of(("name", $"{name} overlay CA"))), cluster);
        var lighthouses = NebulaMeshPlanner.LighthouseNames(MeshSpec(topology));
        var certs = topology.Slots.ToDictionary(s => s.Name, s => graph.Resource(ResourceTypes.NebulaCertificate, $"{s.Name}-nebula", NebulaProvider, CertInputs(settings, PropertyMap.Of(
            ("name", s.Name), ("ip", $"{s.OverlayIp}/{prefix}"),
            ("groups", PropertyValue.Array(NodeGroups(topology.Cluster, s, lighthouses.Contains(s.Name)).Select(g => (PropertyValue)g))),
            ("caCert", ca.Output("cert")), ("caKey", ca.Output("key")))), cluster));
        // Every certificate the stack issues: when one is renewed or dropped, its old fingerprint goes on the blocklist.
        var issued = certs.Values.ToList();
        if (topology.Cluster.Membership is { } membership)
        {
            // The operator joins the overlay with this certificate to reach the REST API (firewalled to its group).
            var op = graph.Resource(ResourceTypes.NebulaCertificate, $"{name}-operator-nebula", NebulaProvider, CertInputs(settings, PropertyMap.Of(
                ("name", $"{name}-operator"), ("ip", $"{OperatorOverlayIp(topology.Cluster)}/{prefix}"),
                ("groups", PropertyValue.Array(membership.OperatorGroup)), ("caCert", ca.Output("cert")), ("caKey", ca.Output("key")))), cluster);
            graph.Export("nebulaCaCertificate", ca.Output("cert"));
            graph.Export("operatorNebulaCertificate", op.Output("cert"));
            graph.Export("operatorNebulaKey", op.Output("key"));
            issued.Add(op);
        }
        // Certificates of removed slots stay refused until they expire: the blocklist remembers what it has seen.
        var blocklist = graph.Resource(ResourceTypes.NebulaBlocklist, $"{name}-nebula-blocklist", NebulaProvider, PropertyMap.Of(
            ("active", PropertyValue.Array(issued.Select(c => (PropertyValue)PropertyMap.Of(("fingerprint", c.Output("fingerprint")), ("notAfter", c.Output("notAfter"))))))), cluster);
        var pki = new NebulaPki($"{NebulaDirectory}/ca.crt", $"{NebulaDirectory}/host.crt", $"{NebulaDirectory}/host.key", []) { BlocklistPlaceholder = BlocklistToken };
        var configs = NebulaMeshPlanner.Plan(MeshSpec(topology)).ToDictionary(c => c.Name);
        if (topology.Cluster.Membership is not null)
        {
            // The operator's own Nebula config, beside its certificate: the same lighthouses, map and blocklist as the nodes.
            var parts = OperatorNebulaConfig(topology).Split(BlocklistToken);
            graph.Export("operatorNebulaConfig", PropertyValue.Format(parts[0], PropertyValue.Apply("json", blocklist.Output("fingerprints")), parts[1]));
        }
        var material = topology.Slots.ToDictionary(s => s.Name, s => new NodeSecurity(
            [
                new NodeFile("nebula.yaml", NebulaConfigPath, NebulaConfigRenderer.Render(configs[s.Name], pki), Secret: true, FileConsumer.Nebula),
                new NodeFile("nebula-ca.crt", pki.Ca, "@@nebula-ca@@", Secret: true, FileConsumer.Nebula),
                new NodeFile("nebula-host.crt", pki.Cert, "@@nebula-cert@@", Secret: true, FileConsumer.Nebula),
                new NodeFile("nebula-host.key", pki.Key, "@@nebula-key@@", Secret: true, FileConsumer.Nebula),
            ],
            new Dictionary<string, PropertyValue>
            {
                [BlocklistToken] = PropertyValue.Apply("json", blocklist.Output("fingerprints")),
                ["@@nebula-ca@@"] = ca.Output("cert"),
                ["@@nebula-cert@@"] = certs[s.Name].Output("cert"),
                ["@@nebula-key@@"] = certs[s.Name].Output("key"),
            }));
        return (material, certs);
    }
}
