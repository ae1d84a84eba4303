using k8s;
using k8s.Models;
using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Components.Kubernetes;

/// <summary>
/// The optional node-setup DaemonSet (provider setting <c>nodeSetup: true</c>; off by default). ScyllaDB's Seastar
/// needs more asynchronous I/O contexts than a stock kernel allows (fs.aio-max-nr defaults to 65536; ScyllaDB asks
/// for at least 1048576), and several nodes on one machine exhaust the default. fs.aio-max-nr is not namespaced, so
/// only a privileged container can raise it, for the whole machine: that is why it is opt-in and lives in its own
/// DaemonSet rather than in the database pod (scylla-operator does the same through its NodeConfig).
/// </summary>
public static class NodeSetup
{
    public const long AioMaxNr = 1048576;
    public const string Image = "docker.io/library/busybox:1.36";
    public const string PauseImage = "registry.k8s.io/pause:3.10";

    public static IKubernetesObject DaemonSet(ClusterSpec cluster, string ns, IDictionary<string, string> datacenterLabels)
    {
        var labels = new Dictionary<string, string>(datacenterLabels) { ["scylla-apocryph/role"] = "node-setup" };
        var tiny = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("16Mi") },
            Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("16Mi") },
        };
        return new V1DaemonSet
        {
            ApiVersion = "apps/v1", Kind = "DaemonSet",
            Metadata = new V1ObjectMeta { Name = $"{cluster.Name}-node-setup", NamespaceProperty = ns, Labels = labels },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(labels) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        // Raise the limit only if it is lower: never lower what the machine's owner set.
                        InitContainers =
                        [
                            new V1Container
                            {
                                Name = "sysctl", Image = Image, Resources = tiny,
                                Command = ["/bin/sh", "-c", $"[ \"$(cat /proc/sys/fs/aio-max-nr)\" -ge {AioMaxNr} ] || sysctl -w fs.aio-max-nr={AioMaxNr}"],
                                SecurityContext = new V1SecurityContext { Privileged = true },
                            },
                        ],
                        Containers = [new V1Container { Name = "pause", Image = PauseImage, Resources = tiny, SecurityContext = new V1SecurityContext { AllowPrivilegeEscalation = false } }],
                    },
                },
            },
        };
    }
}
