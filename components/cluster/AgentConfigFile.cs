using System.Text.Json;
using System.Text.Json.Nodes;
using ScyllaApocryph.Components.Mesh;

namespace ScyllaApocryph.Components.Cluster;

/// <summary>
/// The node agent's configuration file (agent/AgentConfig.cs reads it), rendered per node when the stack configures
/// <c>agentImage</c>. The agent writes ScyllaDB's effective scylla.yaml into /etc/scylla from the rendered one, which is
/// mounted at <see cref="BaseScyllaYamlPath"/> instead.
/// </summary>
public static class AgentConfigFile
{
    public const string Key = "agent.json";
    public const string Directory = "/etc/scylla-apocryph";
    public const string Path = Directory + "/" + Key;
    public const string BaseScyllaYamlPath = Directory + "/scylla.yaml";

    /// <summary>cassandra-rackdc.properties beside agent.json; the agent copies it into /etc/scylla at every ScyllaDB start.</summary>
    public const string RackDcPath = Directory + "/cassandra-rackdc.properties";

    /// <summary>nebula mode on Kubernetes: a read-only copy of the Nebula sidecar's nebula.yaml, for the agent to watch.</summary>
    public const string NebulaConfigCopyDirectory = Directory + "/nebula";

    /// <summary>Where the Kubernetes init container puts the agent (a shared emptyDir) and where the image has it.</summary>
    public const string KubernetesBinary = "/agent/scylla-apocryph-agent";
    public const string ImageBinary = "/usr/local/bin/scylla-apocryph-agent";

    public static string Render(Topology topology, NodeSlot node)
    {
        var cluster = topology.Cluster;
        var stack = topology.Stack;
        var retired = stack.Deployed.Where(d => topology.Slots.All(s => s.Name != d.Name)).ToList();
        var config = new JsonObject
        {
            ["cluster"] = cluster.Name,
            ["slot"] = node.Name,
            ["slots"] = new JsonArray([.. topology.Slots.Select(s => (JsonNode)new JsonObject
            {
                ["slot"] = s.Name, ["datacenter"] = s.Datacenter, ["ordinal"] = s.Ordinal, ["address"] = s.Address,
                ["agentUrl"] = AgentUrl(cluster, s), ["zeroToken"] = s.IsArbiter,
            })]),
            ["retired"] = new JsonArray([.. retired.Select((d, i) => (JsonNode)new JsonObject
            {
                ["slot"] = d.Name, ["datacenter"] = d.Datacenter, ["ordinal"] = OrdinalOf(d.Name, i), ["address"] = d.Address,
            })]),
            ["dataDirectory"] = ScyllaNodeConfig.DataDirectory,
            ["entrypoint"] = new JsonArray(["/docker-entrypoint.py", .. ScyllaNodeConfig.Arguments(topology, node).Select(a => (JsonNode)a)]),
            ["baseScyllaYaml"] = BaseScyllaYamlPath,
            ["scyllaConfDirectory"] = ScyllaNodeConfig.ConfigDirectory,
            ["confFiles"] = new JsonArray(RackDcPath),
            // Only a stack that never deployed anything is new: then, and only then, may its founder slot found it.
            ["newCluster"] = stack.Deployed.Count == 0,
            ["founderSlot"] = topology.Slots[0].Name,
            ["scyllaApiPort"] = Defaults.Ports.RestApi,
            ["listen"] = $"{(cluster.Security == SecurityMode.Nebula ? node.OverlayIp : "0.0.0.0")}:{cluster.Ports.Agent}",
            ["security"] = cluster.Security.ToString().ToLowerInvariant(),
            ["replicationFactors"] = new JsonObject([.. ClusterOperations.MembershipReplicationFactors(topology)
                .Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, kv.Value))]),
            ["failureDetectorTimeoutMs"] = cluster.FailureDetectorTimeoutMs,
        };
        if (cluster.Security == SecurityMode.Tls)
        {
            var tls = ScyllaTlsFiles.In(ScyllaNodeConfig.TlsDirectory);
            config["tls"] = new JsonObject { ["caFile"] = tls.Truststore, ["certFile"] = tls.Certificate, ["keyFile"] = tls.Key };
        }
        if (cluster.Security == SecurityMode.Nebula)
        {
            // The sidecar runs `nebula -config /etc/nebula/nebula.yaml`: the agent SIGHUPs it when the file changes.
            config["nebula"] = new JsonObject
            {
                ["configFile"] = NebulaConfigCopyDirectory + "/nebula.yaml", ["processName"] = "nebula",
                ["commandLineContains"] = SecurityMaterial.NebulaConfigPath,
            };
        }
        if (cluster.Autoscaler is { } a)
        {
            config["autoscaler"] = new JsonObject
            {
                ["endpoint"] = a.Endpoint.ToString(), ["nodeGateway"] = a.NodeGateway,
                ["servers"] = new JsonArray([.. a.Servers.Select(s => (JsonNode)s)]), ["timeoutSeconds"] = a.TimeoutSeconds,
            };
        }
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The agent's API: https with mutual TLS in tls mode, plain http on the overlay (nebula) or without security.</summary>
    public static string AgentUrl(ClusterSpec cluster, NodeSlot slot) =>
        $"{(cluster.Security == SecurityMode.Tls ? "https" : "http")}://{slot.Address}:{cluster.Ports.Agent}/";

    private static int OrdinalOf(string name, int fallback) =>
        int.TryParse(name[(name.LastIndexOf('-') + 1)..], out var o) ? o : fallback;
}
