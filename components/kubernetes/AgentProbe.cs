using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Mesh;

namespace ScyllaApocryph.Components.Kubernetes;

/// <summary>
/// With the node agent, the container's process is the agent, and ScyllaDB runs only once the agent has decided how it
/// boots: an empty volume may wait for its boot instruction far longer than the startup probe's 400 s (the grace
/// period, another node's replacement streaming first, a refusal while the Raft majority is lost). So startup and
/// liveness ask the agent (its /livez), not ScyllaDB's REST API, which does not answer while it waits. Readiness stays
/// <see cref="ReadinessCheck"/>: it asks ScyllaDB itself, by host ID. In tls mode the agent wants a client certificate
/// of the cluster CA: the probe presents the node's own and checks the agent's against the CA.
/// </summary>
public static class AgentProbe
{
    public static IReadOnlyList<string> Livez(ClusterSpec cluster, NodeSlot slot) => cluster.Security switch
    {
        // The agent listens on 0.0.0.0 in tls mode, and its node certificate names 127.0.0.1 (SecurityMaterial).
        SecurityMode.Tls => Command($"https://127.0.0.1:{cluster.Ports.Agent}/livez", ScyllaTlsFiles.In(ScyllaNodeConfig.TlsDirectory)),
        // On the overlay it listens on the overlay IP only.
        SecurityMode.Nebula => Command($"http://{slot.OverlayIp}:{cluster.Ports.Agent}/livez", null),
        _ => Command($"http://127.0.0.1:{cluster.Ports.Agent}/livez", null),
    };

    /// <summary>python3 (in the ScyllaDB image): exit 0 when <paramref name="url"/> answers 2xx.</summary>
    public static IReadOnlyList<string> Command(string url, ScyllaTlsFiles? tls) =>
    [
        "python3", "-c",
        tls is null
            ? $"import urllib.request; urllib.request.urlopen('{url}', timeout=8)"
            : "import ssl, urllib.request; " +
              $"c = ssl.create_default_context(cafile='{tls.Truststore}'); c.load_cert_chain('{tls.Certificate}', '{tls.Key}'); " +
              $"urllib.request.urlopen('{url}', timeout=8, context=c)",
    ];
}
