using System.Text.Json;
using System.Text.Json.Serialization;
using ScyllaApocryph.Components;

namespace ScyllaApocryph.Agent;

/// <summary>One node slot of the stack, as every agent knows it: where its node lives and where its agent answers.</summary>
/// <param name="AgentUrl">The slot's agent API (https in tls mode, http on the overlay in nebula mode).</param>
public sealed record AgentSlot(string Slot, string Datacenter, int Ordinal, string Address, string AgentUrl, bool ZeroToken = false);

/// <summary>The agent's TLS material in tls mode: the node's certificate, its key and the cluster CA (mutual TLS).</summary>
public sealed record AgentTls(string CaFile, string CertFile, string KeyFile);

/// <summary>
/// nebula mode: the Nebula sidecar's configuration as the agent sees it (a read-only copy of the same file) and how
/// to find the sidecar's process (its executable name, and a text its command line contains). When the file
/// changes (a new blocklist, a renewed certificate), the agent sends that process SIGHUP, on which Nebula reloads
/// its configuration (slackhq/nebula config/config.go, CatchHUP). Needs a shared process namespace in the pod.
/// </summary>
public sealed record AgentNebula(string ConfigFile, string ProcessName = "nebula", string? CommandLineContains = null);

/// <summary>The Apocryph Autoscaler to ask for a new instance (TriggerNode); absent: the need is only reported.</summary>
public sealed record AgentAutoscaler(string Endpoint, string NodeGateway, IReadOnlyList<string> Servers, uint TimeoutSeconds = Defaults.AutoscalerTimeoutSeconds);

/// <summary>
/// The agent's configuration file (JSON), written by the renderers beside every node. Everything the agent decides
/// with is here or observed; nothing is guessed. Times in milliseconds.
/// </summary>
public sealed record AgentConfig
{
    public required string Cluster { get; init; }

    public required string Slot { get; init; }

    /// <summary>The stack's slots, this one included. Voters for the actor election are these slots' agents.</summary>
    public required IReadOnlyList<AgentSlot> Slots { get; init; }

    /// <summary>The volume ScyllaDB keeps its data in (/var/lib/scylla); the lock and the identity file live here too.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The command that starts ScyllaDB: the image's own entrypoint and its arguments.</summary>
    public required IReadOnlyList<string> Entrypoint { get; init; }

    /// <summary>The rendered scylla.yaml the effective one is derived from.</summary>
    public required string BaseScyllaYaml { get; init; }

    /// <summary>Where the effective scylla.yaml is written; ScyllaDB is started with SCYLLA_CONF pointing here.</summary>
    public string ScyllaConfDirectory { get; init; } = "/etc/scylla";

    /// <summary>True only while the stack has never been deployed: then, and only then, the founder slot may found it.</summary>
    public bool NewCluster { get; init; }

    /// <summary>The one slot that may found a brand-new cluster (the first slot of the first datacenter).</summary>
    public required string FounderSlot { get; init; }

    /// <summary>ScyllaDB's REST API port; always reached on 127.0.0.1 (it has no authentication).</summary>
    public int ScyllaApiPort { get; init; } = Defaults.Ports.RestApi;

    /// <summary>Where the agent API listens (address:port): the node's overlay or pod address.</summary>
    public required string Listen { get; init; }

    /// <summary>none | tls | nebula. tls: mutual TLS with <see cref="Tls"/>; nebula: plain HTTP on the overlay.</summary>
    public string Security { get; init; } = "tls";

    public AgentTls? Tls { get; init; }

    public AgentAutoscaler? Autoscaler { get; init; }

    public AgentNebula? Nebula { get; init; }

    /// <summary>Slots the stack deleted: their members are decommissioned (up) or removed (dead), one at a time.</summary>
    public IReadOnlyList<ScyllaApocryph.Components.Membership.SlotSpec> Retired { get; init; } = [];

    public IReadOnlyDictionary<string, int> ReplicationFactors { get; init; } = new Dictionary<string, int>();

    /// <summary>The stack's failure_detector_timeout_in_ms: the grace period is twice it.</summary>
    public int FailureDetectorTimeoutMs { get; init; } = Defaults.FailureDetectorTimeoutMs;

    public int PollIntervalMs { get; init; } = 5000;

    public int LeaseTtlMs { get; init; } = 15000;

    /// <summary>How long a peer request may take before the peer counts as not answering.</summary>
    public int PeerTimeoutMs { get; init; } = 3000;

    /// <summary>How long ScyllaDB is given to stop after a drain before it is killed.</summary>
    public int StopTimeoutMs { get; init; } = 120000;

    /// <summary>
    /// Files whose content ScyllaDB reads at start (certificates, keys, a membership proof): when one changes, the
    /// agent restarts ScyllaDB, one node of the cluster at a time (see <see cref="RollingRestartRules"/>).
    /// The base scylla.yaml, <see cref="ConfFiles"/> and the TLS files are watched anyway.
    /// </summary>
    public IReadOnlyList<string> RestartOn { get; init; } = [];

    /// <summary>Files copied into <see cref="ScyllaConfDirectory"/> at every ScyllaDB start (cassandra-rackdc.properties):
    /// they are mounted as a whole directory elsewhere, so that a changed ConfigMap reaches the pod.</summary>
    public IReadOnlyList<string> ConfFiles { get; init; } = [];

    /// <summary>How often the agent hashes its inputs and this file (hot reload; bounded: see <see cref="InputFingerprint"/>).</summary>
    public int WatchIntervalMs { get; init; } = 10000;

    /// <summary>A name for this instance (pod name); default: host name and process id.</summary>
    public string? InstanceId { get; init; }

    [JsonIgnore]
    public AgentSlot Self => Slots.First(s => s.Slot == Slot);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Reads and checks the file; every problem is named with its key.</summary>
    public static AgentConfig Load(string path)
    {
        if (!File.Exists(path)) throw new AgentConfigException($"--config: {path} does not exist");
        AgentConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<AgentConfig>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new AgentConfigException($"{path}: {(e.Path is { } p ? p + ": " : "")}{e.Message}");
        }
        if (config is null) throw new AgentConfigException($"{path}: empty");
        var problems = config.Problems().ToList();
        if (problems.Count > 0) throw new AgentConfigException(string.Join("\n", problems.Select(p => $"{path}: {p}")));
        return config;
    }

    public IEnumerable<string> Problems()
    {
        if (Slots.Count == 0) yield return "slots: must list at least this node's slot";
        if (Slots.All(s => s.Slot != Slot)) yield return $"slot: '{Slot}' is not one of slots[].slot";
        if (Slots.All(s => s.Slot != FounderSlot)) yield return $"founderSlot: '{FounderSlot}' is not one of slots[].slot";
        if (Slots.GroupBy(s => s.Slot).FirstOrDefault(g => g.Count() > 1) is { } dup) yield return $"slots: slot '{dup.Key}' twice";
        if (Slots.GroupBy(s => s.Address).FirstOrDefault(g => g.Count() > 1) is { } dupA) yield return $"slots: address '{dupA.Key}' twice";
        if (Entrypoint.Count == 0) yield return "entrypoint: must name the command that starts ScyllaDB";
        if (Security is not ("none" or "tls" or "nebula")) yield return $"security: '{Security}' is not one of none, tls, nebula";
        if (Security == "tls" && Tls is null) yield return "tls: required when security is tls (caFile, certFile, keyFile)";
        if (!System.Net.IPEndPoint.TryParse(Listen, out _)) yield return $"listen: '{Listen}' is not address:port";
        if (PollIntervalMs <= 0) yield return "pollIntervalMs: must be > 0";
        if (LeaseTtlMs < 3 * PollIntervalMs / 2) yield return "leaseTtlMs: must be at least 1.5 × pollIntervalMs";
        if (FailureDetectorTimeoutMs <= 0) yield return "failureDetectorTimeoutMs: must be > 0";
        if (WatchIntervalMs <= 0) yield return "watchIntervalMs: must be > 0";
        if (RestartOn.Concat(ConfFiles).FirstOrDefault(f => !System.IO.Path.IsPathRooted(f)) is { } relative)
            yield return $"restartOn/confFiles: '{relative}' is not an absolute path";
    }
}

public sealed class AgentConfigException(string message) : Exception(message);
