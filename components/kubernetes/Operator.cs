using k8s.Models;
using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Components.Kubernetes;

/// <summary>
/// What a production ScyllaDB operator puts in a node's pod, taken from the StatefulSet scylla-operator builds for a
/// datacenter (scylladb/scylla-operator pkg/controller/scylladbdatacenter/resource.go, commit 0338fb5): the timing
/// constants and the shape of the probes, the preStop hook and the placement rules.
/// </summary>
public static class Operator
{
    /// <summary>How long kube-proxy takes to notice a readiness change (scylla-operator's kubeProxyEndpointsSyncPeriodSeconds).</summary>
    public const int EndpointsSyncSeconds = 5;

    /// <summary>A pod counts as available only this long after it became ready: endpoints have caught up by then.</summary>
    public const int MinReadySeconds = EndpointsSyncSeconds;

    /// <summary>After drain, stay this long so every client and proxy has seen the node go unready
    /// (readiness failureThreshold x period + endpoints sync in scylla-operator: 1 x 10 + 5).</summary>
    public const int PreStopSleepSeconds = 15;

    /// <summary>Exit 0 when the node's REST API answers at all: alive, if not necessarily ready.</summary>
    public static IReadOnlyList<string> ApiAnswers(ClusterSpec cluster, NodeSlot slot) =>
    [
        "python3", "-c",
        $"import urllib.request; urllib.request.urlopen('{ScyllaNodeConfig.ApiUrl(cluster, slot)}/storage_service/hostid/local', timeout=8)",
    ];

    /// <summary>Drain (flush memtables, stop serving) and wait out the endpoint sync, side by side as scylla-operator
    /// does, so the pod stops at least <see cref="PreStopSleepSeconds"/> after drain began and never before drain ended.</summary>
    public static IReadOnlyList<string> DrainThenSleep(ClusterSpec cluster, NodeSlot slot) =>
        ["/bin/bash", "-c", $"nodetool -h {ScyllaNodeConfig.ApiAddress(cluster, slot)} drain & sleep {PreStopSleepSeconds} & wait"];

    /// <summary>Soft anti-affinity: prefer a Kubernetes node that holds no other node of the same datacenter.
    /// Soft, because a single-node cluster (minikube) must still schedule every node.</summary>
    public static V1Affinity SpreadNodes(IDictionary<string, string> datacenterLabels) => new()
    {
        PodAntiAffinity = new V1PodAntiAffinity
        {
            PreferredDuringSchedulingIgnoredDuringExecution =
            [
                new V1WeightedPodAffinityTerm
                {
                    Weight = 100,
                    PodAffinityTerm = new V1PodAffinityTerm
                    {
                        TopologyKey = "kubernetes.io/hostname",
                        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(datacenterLabels) },
                    },
                },
            ],
        },
    };

    /// <summary>Spread a datacenter's nodes over zones where the cluster has them; never refuse to schedule.</summary>
    public static V1TopologySpreadConstraint SpreadOverZones(IDictionary<string, string> datacenterLabels) => new()
    {
        MaxSkew = 1,
        TopologyKey = "topology.kubernetes.io/zone",
        WhenUnsatisfiable = "ScheduleAnyway",
        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(datacenterLabels) },
    };
}
