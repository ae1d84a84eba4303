namespace ScyllaApocryph.Components.Cluster;

/// <summary>
/// Rules that look across the whole stack (the loader checks each key on its own). Errors stop the run with
/// exit 2; warnings are shown on every preview and up.
/// </summary>
public static class ClusterRules
{
    public const int NodePortMin = 30000;
    public const int NodePortMax = 32767;

    /// <summary>
    /// The error for a configuration that would change a deployed node's identity (see
    /// <see cref="Topology.IdentityChanges"/>), or null. Part of <see cref="Check"/>; on its own for a caller that
    /// learns what was deployed only after the other rules passed.
    /// </summary>
    public static string? IdentityError(Topology topology, string ns)
    {
        var moved = topology.IdentityChanges();
        return moved.Count == 0 ? null
            : $"{ns}:cluster.datacenters: {string.Join("; ", moved)}. A node's datacenter, rack and address belong to its identity, which " +
              "ScyllaDB never lets change. Keep datacenters and racks in their order and add new ones at the end; to move a node, add a new one and remove the old";
    }

    /// <summary>
    /// Two Kubernetes providers on one Kubernetes cluster (same kubeconfig and context) would give their nodes the same
    /// Nebula NodePorts (base + ordinal), and NodePorts are global to a cluster.
    /// </summary>
    private static IEnumerable<string> SharedKubernetesClusters(StackSpec stack, string ns)
    {
        var used = stack.Cluster.Datacenters.Select(d => d.Provider).Concat(stack.Cluster.Arbiter is { } a ? [a.Provider] : []).ToHashSet();
        return stack.Providers
            .Where(p => p.Kind == ProviderKind.Kubernetes && used.Contains(p.Name))
            .GroupBy(p => (p.Setting("kubeconfig") ?? "", p.Setting("context") ?? ""))
            .Where(g => g.Count() > 1)
            .Select(g => $"{ns}:providers.{g.Last().Name}.context: providers {string.Join(" and ", g.Select(p => $"'{p.Name}'"))} share the Kubernetes " +
                         $"context '{g.Key.Item2}', so their nodes would claim the same Nebula NodePorts (ports.nebulaUdp + ordinal); give each provider a Kubernetes cluster of its own");
    }

    /// <summary>
    /// Nebula before 1.7 refuses to start when a static_host_map name does not resolve at load; 1.7 and later
    /// re-resolve names in the background (<see cref="Mesh.NebulaRelease.ResolvesNamesFrom"/>). Addresses are written
    /// where the stack gives them; a publicHost that is a name needs the newer Nebula everywhere the config is loaded.
    /// </summary>
    private static void NebulaVersionRules(Topology topology, string key, List<string> errors, List<string> warnings)
    {
        var names = topology.Slots.Select(s => SecurityMaterial.PublicHost(topology, s)).OfType<string>()
            .Where(Mesh.NebulaRelease.IsName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) return;
        var needed = Mesh.NebulaRelease.ResolvesNamesFrom.ToString(3);
        var image = topology.Cluster.NebulaImage;
        var what = $"static_host_map holds host names ({string.Join(", ", names)}, from publicHost), which Nebula resolves at start only from {needed} on " +
                   "(earlier releases, such as Debian's 1.6.1, refuse to start when a name does not resolve)";
        if (Mesh.NebulaRelease.ImageVersion(image) is { } version && version < Mesh.NebulaRelease.ResolvesNamesFrom)
            errors.Add($"{key}.nebulaImage: '{image}' is Nebula {version.ToString(3)}, but {what}. Use Nebula {needed} or later, or give publicHost as an IP address");
        else if (Mesh.NebulaRelease.ImageVersion(image) is null)
            warnings.Add($"{key}.nebulaImage: the version of '{image}' cannot be read from its tag; {what}, so it must be {needed} or later");
        if (topology.Cluster.Membership is not null)
            warnings.Add($"{key}.membership: {what}; the operator's machine joins the overlay with the same map, so its nebula must be {needed} or later too");
    }

    public static (IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings) Check(StackSpec stack, string ns)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        var cluster = stack.Cluster;
        var key = $"{ns}:cluster";

        if (cluster.Arbiter is { } arbiter)
        {
            if (cluster.Datacenters.Any(d => d.Provider == arbiter.Provider))
                errors.Add($"{key}.arbiter.provider: provider '{arbiter.Provider}' already hosts a datacenter; the arbiter must be at a third provider so it survives the loss of either");
            if (cluster.Datacenters.Any(d => d.Name == arbiter.Datacenter))
                errors.Add($"{key}.arbiter.datacenter: '{arbiter.Datacenter}' is also the name of a data datacenter");
        }
        for (var i = 0; i < cluster.Datacenters.Count; i++)
        {
            var dc = cluster.Datacenters[i];
            if (dc.Nodes > 200) errors.Add($"{key}.datacenters[{i}].nodes: at most 200 nodes per datacenter (each slot has a fixed overlay address)");
            if (dc.Racks is { } racks && racks.Distinct().Count() != racks.Count) errors.Add($"{key}.datacenters[{i}].racks: rack names must be unique");
            // ScyllaDB's snitch answers "datacenter1" for a host it does not know yet (api/token_metadata.cc, 2025.1.4):
            // membership could not tell that answer from a real one.
            if (dc.Name == "datacenter1") errors.Add($"{key}.datacenters[{i}].name: 'datacenter1' is ScyllaDB's answer for a node it does not know yet; choose another name");
        }
        if (cluster.Arbiter?.Datacenter == "datacenter1")
            errors.Add($"{key}.arbiter.datacenter: 'datacenter1' is ScyllaDB's answer for a node it does not know yet; choose another name");

        foreach (var (provider, index) in stack.Providers.Select((p, i) => (p, i)))
        {
            var hosts = cluster.Datacenters.Any(d => d.Provider == provider.Name) || cluster.Arbiter?.Provider == provider.Name;
            if (!hosts || provider.Kind != ProviderKind.Apocryph) continue;
            if (cluster.Security == SecurityMode.Nebula)
                errors.Add($"{key}.security: nebula cannot run on Apocryph provider '{provider.Name}': Apocryph pods get no UDP ports, no capabilities and no TUN device. Use security: tls (the default), which joins nodes with internode TLS and client-certificate checks over TCP");
            if (cluster.Security == SecurityMode.None)
                errors.Add($"{key}.security: none is refused on Apocryph provider '{provider.Name}': its ports are public NodePorts, so plain internode traffic would be open to anyone. Use security: tls");
            foreach (var (name, port) in new[] { ("sslStorage", cluster.Ports.SslStorage), ("cqlTls", cluster.Ports.CqlTls), ("cqlShardAwareTls", cluster.Ports.CqlShardAwareTls) })
                if (port is < NodePortMin or > NodePortMax)
                    errors.Add($"{key}.ports.{name}: {port} is not a NodePort ({NodePortMin}-{NodePortMax}); Apocryph provider '{provider.Name}' exposes TCP ports only as NodePorts, and every node must use the same port");
            if (cluster.AgentImage is not null && cluster.Ports.Agent is < NodePortMin or > NodePortMax)
                errors.Add($"{key}.ports.agent: {cluster.Ports.Agent} is not a NodePort ({NodePortMin}-{NodePortMax}); with agentImage, Apocryph provider '{provider.Name}' publishes the node agent's port as a NodePort, which the agents at other providers dial");
            for (var i = 0; i < cluster.Datacenters.Count; i++)
                if (cluster.Datacenters[i].Provider == provider.Name && cluster.Datacenters[i].Nodes > 1)
                    errors.Add($"{key}.datacenters[{i}].nodes: {cluster.Datacenters[i].Nodes} nodes on Apocryph provider '{provider.Name}', which can run one: its NodePorts and public host are shared by the whole provider, and every ScyllaDB node needs the same ports on an address of its own. Spread the nodes over more Apocryph providers, one datacenter each");
        }

        // Without the overlay a node's address is what its provider gives it. On Kubernetes that is a Service name
        // inside the cluster, which nodes at any other provider can neither resolve nor reach.
        var hosting = cluster.Datacenters.Select(d => d.Provider).Append(cluster.Arbiter?.Provider).OfType<string>().Distinct().ToList();
        if (cluster.Security != SecurityMode.Nebula && hosting.Count > 1)
            foreach (var name in hosting.Where(n => stack.Providers.FirstOrDefault(p => p.Name == n)?.Kind == ProviderKind.Kubernetes))
                errors.Add($"{key}.security: {cluster.Security.ToString().ToLowerInvariant()} across providers cannot reach the nodes on Kubernetes provider '{name}': their addresses are Services inside that Kubernetes cluster (*.svc.cluster.local). Use security: nebula, which gives every node an overlay address reachable from every provider, or keep the cluster on that one provider");

        if (stack.ComposeDirectory is not null)
        {
            // The one-host trial reuses each node's files, so they must be written for plain containers on one host.
            if (cluster.Security == SecurityMode.Nebula)
                errors.Add($"{ns}:compose: the one-host trial has no Nebula overlay; use security: tls or none in a stack that writes docker-compose.yaml");
            foreach (var name in hosting.Where(n => stack.Providers.FirstOrDefault(p => p.Name == n) is { Kind: not ProviderKind.Render }))
                errors.Add($"{ns}:compose: provider '{name}' is not of kind render; the one-host trial needs every node's files written by a render provider (node names as addresses)");
        }
        if (cluster.Membership is not null && cluster.Security != SecurityMode.Nebula)
            errors.Add($"{key}.membership: needs security: nebula. The REST API it uses has no authentication, so it stays on loopback " +
                       "unless the overlay's firewall can restrict it to the operator group; in tls mode reconciliation belongs to the node agent");
        CheckPki(cluster.Pki, $"{key}.pki", errors);
        foreach (var (name, value) in new[] { ("keyEnv", cluster.MembershipProof?.KeyEnv), ("keyFile", cluster.MembershipProof?.KeyFile) })
            if (MembershipProofSpec.LooksLikePrivateKey(value))
                errors.Add($"{key}.membershipProof.{name}: holds what looks like a private key (64 hex digits), not " +
                           (name == "keyEnv" ? "an environment variable name" : "a file path") +
                           "; the key must never be in the stack file: remove it, treat the key as leaked, and name the variable or file that holds it");
        if (cluster.Membership is { OperatorGroup: var group })
        {
            if (group.Length == 0 || group.Contains(',') || group.Any(char.IsWhiteSpace))
                errors.Add($"{key}.membership.operatorGroup: '{group}' is not a Nebula group name (non-empty, no commas or spaces)");
            else if (SecurityMaterial.NodeGroups(cluster).Contains(group))
                errors.Add($"{key}.membership.operatorGroup: '{group}' is a group node certificates carry (the cluster, a datacenter, or scylla/arbiter/lighthouse); " +
                           $"the REST API has no authentication, so it would be open to those nodes. Name a group of its own, e.g. '{cluster.Name}-operators'");
        }
        if (cluster.Security == SecurityMode.None)
            warnings.Add("SECURITY: security is 'none': internode and client traffic is unencrypted and unauthenticated. Use it only for a trial on one trusted host.");

        var topology = Topology.Build(stack);
        if (cluster.Security == SecurityMode.Nebula)
        {
            foreach (var problem in Mesh.NebulaMeshPlanner.Validate(SecurityMaterial.MeshSpec(topology)))
                errors.Add($"{key}.security: nebula mesh: {problem} (set publicHost on the provider)");
            var kubernetesPorts = topology.Slots.Where(s => SecurityMaterial.RendersKubernetes(s.Kind)).Select(s => SecurityMaterial.NebulaPort(cluster, s)).ToList();
            if (kubernetesPorts.Count > 0 && (kubernetesPorts.Min() < NodePortMin || kubernetesPorts.Max() > NodePortMax))
                errors.Add($"{key}.ports.nebulaUdp: {cluster.Ports.NebulaUdp} must be a NodePort ({NodePortMin}-{NodePortMax}) with room for one port per node: on Kubernetes (applied or rendered) each node's Nebula UDP port is its own NodePort");
            errors.AddRange(SharedKubernetesClusters(stack, ns));
            NebulaVersionRules(topology, key, errors, warnings);
        }

        if (IdentityError(topology, ns) is { } moved) errors.Add(moved);

        var problems = Survivability.Problems(topology);
        if (problems.Count > 0)
        {
            var text = "this layout cannot survive the loss of one provider: " + string.Join("; ", problems) + ".";
            if (cluster.AllowFragileTopology) warnings.Add($"fragile topology (allowed by {key}.allowFragileTopology): {text}");
            else errors.Add($"{key}.datacenters: {text} {Survivability.Remedy}");
        }

        for (var k = 0; k < cluster.Keyspaces.Count; k++)
        {
            var keyspace = cluster.Keyspaces[k];
            foreach (var (dc, rf) in keyspace.Replication ?? new Dictionary<string, int>())
            {
                var path = $"{key}.keyspaces[{k}].replication.{dc}";
                var spec = cluster.Datacenters.FirstOrDefault(d => d.Name == dc);
                if (cluster.Arbiter?.Datacenter == dc) errors.Add($"{path}: the arbiter datacenter holds no data (zero-token); leave it out");
                else if (spec is null) errors.Add($"{path}: there is no datacenter '{dc}' (known: {string.Join(", ", cluster.Datacenters.Select(d => d.Name))})");
                else if (rf > spec.Nodes) errors.Add($"{path}: replication factor {rf} exceeds the {spec.Nodes} node(s) of datacenter {dc}");
                else if (rf < 0) errors.Add($"{path}: must be >= 0");
            }
        }
        errors.AddRange(Kubernetes.KubernetesProviderRules.Check(stack, ns));
        return (errors, warnings);
    }

    private static void CheckPki(PkiSpec pki, string key, List<string> errors)
    {
        TimeSpan? Read(string name, string? text, TimeSpan fallback)
        {
            if (text is null) return fallback;
            if (PkiSpec.TryParseDuration(text, out var d)) return d;
            errors.Add($"{key}.{name}: '{text}' is not a duration: a whole number with d, h, m or s, e.g. 365d");
            return null;
        }
        var ca = Read("caDuration", pki.CaDuration, PkiSpec.DefaultCaDuration);
        var cert = Read("certDuration", pki.CertDuration, PkiSpec.DefaultCertDuration);
        var renew = Read("renewBefore", pki.RenewBefore, PkiSpec.DefaultRenewBefore);
        if (cert is { } c && renew is { } r && r >= c)
            errors.Add($"{key}.renewBefore: {pki.RenewBefore ?? Defaults.Pki.RenewBefore} must be shorter than certDuration ({pki.CertDuration ?? Defaults.Pki.CertDuration}), or every up would reissue every certificate");
        if (ca is { } a && cert is { } c2 && c2 > a)
            errors.Add($"{key}.certDuration: {pki.CertDuration ?? Defaults.Pki.CertDuration} is longer than caDuration ({pki.CaDuration ?? Defaults.Pki.CaDuration}); a certificate cannot outlive its CA");
        if (pki.CaRotation < 0) errors.Add($"{key}.caRotation: must be >= 0");
    }
}
