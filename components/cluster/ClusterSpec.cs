namespace ScyllaApocryph.Components.Cluster;

/// <summary>How nodes reach each other: an encrypted overlay, TLS on the wire, or plain TCP (trials only).</summary>
public enum SecurityMode
{
    Nebula,
    Tls,
    None,
}

/// <summary>Per-node container resources; memory and disk in bytes.</summary>
public sealed record NodeResources(double Cpu, long MemoryBytes, long DiskBytes)
{
    /// <summary>ScyllaDB needs at least 1.5 GiB per container.</summary>
    public const long MinimumMemoryBytes = 1536L * 1024 * 1024;
}

/// <summary>One datacenter: a set of nodes on one hosting provider, spread over its racks.</summary>
public sealed record DatacenterSpec(string Name, string Provider, int Nodes, IReadOnlyList<string>? Racks = null)
{
    public IReadOnlyList<string> RackNames => Racks is { Count: > 0 } ? Racks : ["rack1"];
}

/// <summary>An arbiter: one zero-token node (<c>join_ring: false</c>) in its own datacenter at a third provider.</summary>
public sealed record ArbiterSpec(string Provider, string Datacenter = "arbiter");

/// <summary>
/// Ports every node uses. ScyllaDB needs the same internode port on every node, and on Apocryph providers ports
/// are NodePorts shared by the whole provider, so these are cluster-wide settings.
/// </summary>
/// <param name="NebulaUdp">Nebula's UDP port, the first node's; every provider in nebula mode renders Kubernetes manifests, where each
/// node's port is its own NodePort (this + the node's ordinal), so the default is a NodePort too.</param>
public sealed record PortSpec(int Storage = Defaults.Ports.Storage, int SslStorage = Defaults.Ports.SslStorage, int Cql = Defaults.Ports.Cql,
    int CqlTls = Defaults.Ports.CqlTls, int NebulaUdp = Defaults.Ports.NebulaUdp)
{
    /// <summary>The shard-aware CQL port in tls mode; drivers learn it from the node and dial it on every node.</summary>
    public int CqlShardAwareTls { get; init; } = Defaults.Ports.CqlShardAwareTls;

    /// <summary>The node agent's API port (with agentImage); on Apocryph a NodePort the other providers' agents dial.</summary>
    public int Agent { get; init; } = Defaults.Ports.Agent;

    /// <summary>In the low band Kubernetes keeps for fixed NodePorts (30000-30085 of the default range, KEP-3668).</summary>
    public const int DefaultNebulaUdp = 30042;
}

/// <summary>
/// How the cluster's CA and certificates are issued (<c>pki</c>). A key left unset keeps the providers' default
/// (CA 3650d, certificates 365d, reissue 30d before expiry) and stays out of the resource inputs, so adding the
/// section changes nothing that exists. Raising <paramref name="CaRotation"/> issues a new CA and reissues every
/// certificate; changing <paramref name="CaDuration"/> needs a rotation too.
/// </summary>
public sealed partial record PkiSpec(string? CaDuration = null, string? CertDuration = null, string? RenewBefore = null, int CaRotation = 0)
{
    public static readonly TimeSpan DefaultCaDuration = ParseDefault(Defaults.Pki.CaDuration);
    public static readonly TimeSpan DefaultCertDuration = ParseDefault(Defaults.Pki.CertDuration);
    public static readonly TimeSpan DefaultRenewBefore = ParseDefault(Defaults.Pki.RenewBefore);

    private static TimeSpan ParseDefault(string text) => TryParseDuration(text, out var d) ? d : throw new InvalidOperationException($"default duration {text} does not parse");

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\d{1,7})(d|h|m|s)$")]
    private static partial System.Text.RegularExpressions.Regex DurationPattern();

    /// <summary>A whole number with a unit d, h, m or s ("3650d", "8760h"); what the PKI providers accept.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = DurationPattern().Match(text?.Trim() ?? "");
        if (!match.Success) return false;
        var n = long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        duration = match.Groups[2].Value switch
        {
            "d" => TimeSpan.FromDays(n),
            "h" => TimeSpan.FromHours(n),
            "m" => TimeSpan.FromMinutes(n),
            _ => TimeSpan.FromSeconds(n),
        };
        return duration > TimeSpan.Zero;
    }
}

/// <summary>
/// The application wallet signs each node certificate's public key, so a peer can check membership against the
/// application's address. The key is read at apply time from <paramref name="KeyEnv"/> or <paramref name="KeyFile"/>,
/// never from the stack file; <paramref name="Address"/>, if given, must be the key's address.
/// </summary>
public sealed record MembershipProofSpec(string? KeyEnv, string? KeyFile, string? Address)
{
    /// <summary>
    /// True when <paramref name="text"/> has the shape of a secp256k1 private key (64 hex digits, optionally 0x):
    /// a key pasted where a variable name or path belongs. Such text must never be echoed.
    /// </summary>
    public static bool LooksLikePrivateKey(string? text)
    {
        var t = text?.Trim() ?? "";
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) t = t[2..];
        return t.Length == 64 && t.All(Uri.IsHexDigit);
    }
}

/// <summary>
/// Live membership reconciliation on every up (<c>scylla:index:Membership</c>). The REST API has no
/// authentication, so it is reached only over the Nebula overlay, from members of <paramref name="OperatorGroup"/>
/// (the program issues that group a certificate); instance state comes from the autoscaler hooks at <paramref name="Hooks"/>.
/// </summary>
public sealed record ReconciliationSpec(Uri Hooks, string OperatorGroup)
{
    /// <summary>
    /// Datacenters removed from the stack whose data no keyspace keeps any more (replication 0 there, set by the
    /// operator with ALTER KEYSPACE): only then may their nodes be decommissioned or removed.
    /// </summary>
    public IReadOnlyList<string> RetiredDatacenters { get; init; } = [];
}

/// <summary>The Apocryph Autoscaler to register the cluster with (<c>autoscaler:index:Registration</c>).</summary>
public sealed record AutoscalerSpec(Uri Endpoint, string NodeGateway, IReadOnlyList<string> Servers,
    int TimeoutSeconds = Defaults.AutoscalerTimeoutSeconds)
{
    /// <summary>What tpodctl sends (cmd/trustedpods/autoscaler.go at 4bbf371): seconds upstream waits for a Raft leader.</summary>
    public const int DefaultTimeoutSeconds = 30;
}

/// <summary>A keyspace to create, with NetworkTopologyStrategy replication per datacenter (default min(3, nodes)).</summary>
public sealed record KeyspaceSpec(string Name, IReadOnlyDictionary<string, int>? Replication = null);

/// <summary>The validated <c>scylla-apocryph:cluster</c> configuration.</summary>
public sealed record ClusterSpec(
    string Name,
    string Image,
    SecurityMode Security,
    NodeResources Resources,
    IReadOnlyList<DatacenterSpec> Datacenters,
    bool DeveloperMode = false)
{
    /// <summary>
    /// The node agent's image, run beside ScyllaDB in every pod (it serves the autoscaler hooks and keeps the node's
    /// membership healthy between deployments). Null: no agent container.
    /// </summary>
    public string? AgentImage { get; init; }

    public ArbiterSpec? Arbiter { get; init; }

    /// <summary>Accept a layout that cannot survive the loss of one provider (warns on every preview and up).</summary>
    public bool AllowFragileTopology { get; init; }

    public PortSpec Ports { get; init; } = new();

    /// <summary>The one CQL port clients use: the TLS port in tls mode (there is no plaintext CQL then).</summary>
    public int CqlPort => Security == SecurityMode.Tls ? Ports.CqlTls : Ports.Cql;

    public IReadOnlyList<KeyspaceSpec> Keyspaces { get; init; } = [];

    /// <summary>ScyllaDB's failure_detector_timeout_in_ms; membership waits twice this before calling a node dead.</summary>
    public int FailureDetectorTimeoutMs { get; init; } = Defaults.FailureDetectorTimeoutMs;

    /// <summary>The Nebula overlay network (a /16 or larger); each node slot gets a fixed address in it.</summary>
    public string OverlayCidr { get; init; } = Defaults.OverlayCidr;

    public string SuperuserName { get; init; } = "scylla_admin";

    public MembershipProofSpec? MembershipProof { get; init; }

    public ReconciliationSpec? Membership { get; init; }

    public PkiSpec Pki { get; init; } = new();

    public AutoscalerSpec? Autoscaler { get; init; }

    /// <summary>ScyllaDB's num_tokens (vnodes per node), read at a node's first boot only; default the image's.</summary>
    public int NumTokens { get; init; } = ImageScyllaYaml.NumTokens;

    /// <summary>ScyllaDB's tablets_mode_for_new_keyspaces; default the image's.</summary>
    public TabletsMode Tablets { get; init; } = ImageScyllaYaml.Tablets;

    /// <summary>The Nebula sidecar's image in nebula mode (official images exist from 1.9.0).</summary>
    public string NebulaImage { get; init; } = Mesh.NebulaRelease.DefaultImage;
}

/// <summary>Kinds of hosting provider a datacenter can live on.</summary>
public enum ProviderKind
{
    /// <summary>Writes everything a deployment needs to a directory.</summary>
    Render,
    Kubernetes,
    Apocryph,
}

/// <summary>One entry of <c>scylla-apocryph:providers</c>: a name, a kind and its settings.</summary>
public sealed record ProviderSpec(string Name, ProviderKind Kind, IReadOnlyDictionary<string, string> Settings)
{
    public string? Setting(string key) => Settings.GetValueOrDefault(key);
}

/// <summary>Everything a stack file configures.</summary>
/// <param name="ComposeDirectory">Where the one-host trial (docker-compose.yaml) and the summary go, if anywhere.</param>
public sealed record StackSpec(string Stack, string Project, ClusterSpec Cluster, IReadOnlyList<ProviderSpec> Providers, string? ComposeDirectory = null)
{
    /// <summary>Problems that do not stop a run but must be shown on every preview and up.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// The nodes an earlier <c>up</c> deployed, as recorded in the stack's state (empty for a new stack): their
    /// identities must not change.
    /// </summary>
    public IReadOnlyList<DeployedNode> Deployed { get; init; } = [];

    public ProviderSpec Provider(string name) => Providers.Single(p => p.Name == name);
}

/// <summary>A node as an earlier deployment left it: the parts of its identity ScyllaDB never lets change.</summary>
public sealed record DeployedNode(string Name, string Datacenter, string Rack, string Address);
