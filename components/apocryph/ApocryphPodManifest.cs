using Google.Protobuf;
using ScyllaApocryph.Components.Apocryph.Proto;
using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Components.Apocryph;

/// <summary>
/// The Apocryph pod manifest of one node, as protojson (64-bit integers as strings, enums by name: see
/// <see cref="PodJson"/>, checked against Google.Protobuf's own formatter). One node per cluster per provider: its ports are
/// NodePorts, identical on every node, and replicas are pinned to exactly one (a pod without an HTTP port and
/// no minimum would run zero replicas). Deleting the pod deletes its volume: a recreated node starts empty and
/// the membership reconciler replaces it.
/// </summary>
public static class ApocryphPodManifest
{
    /// <summary>
    /// Whether a manifest for this cluster could run on Apocryph. Nebula mode cannot: its ScyllaDB listens on the
    /// overlay, and an Apocryph pod has no UDP port, no capability and no TUN device to run Nebula in.
    /// </summary>
    public static bool CanWork(ClusterSpec cluster) => cluster.Security != SecurityMode.Nebula;

    public static Pod Build(NodePlan plan)
    {
        if (!CanWork(plan.Cluster))
            throw new InvalidOperationException("nebula mode has no Apocryph manifest: Apocryph pods get no UDP port and no TUN device");
        var cluster = plan.Cluster;
        var scylla = new Container
        {
            Name = "scylla",
            Image = new Image { Url = cluster.Image },
            Command = { ScyllaNodeConfig.Arguments(plan.Topology, plan.Slot) },
            ResourceRequests =
            {
                new Resource { Resource_ = "cpu", AmountMillis = (ulong)Math.Round(cluster.Resources.Cpu * 1000) },
                new Resource { Resource_ = "memory", Amount = (ulong)cluster.Resources.MemoryBytes },
            },
            Volumes = { new Container.Types.VolumeMount { Name = "data", MountPath = ScyllaNodeConfig.DataDirectory } },
        };
        foreach (var port in plan.Ports)
        {
            scylla.Ports.Add(new Container.Types.Port
            {
                Name = port.Name, ContainerPort = (ulong)port.Port, HostTcpPort = (ulong)port.Port,
            });
        }
        var pod = new Pod
        {
            Containers =
            {
                scylla,
            },
            Volumes =
            {
                new Volume
                {
                    Name = "data",
                    Type = Volume.Types.Type.VolumeFilesystem,
                    Filesystem = new Volume.Types.FilesystemConfig
                    {
                        ResourceRequests = { new Resource { Resource_ = "storage", Amount = (ulong)cluster.Resources.DiskBytes } },
                    },
                },
            },
            Replicas = new Replicas { Min = 1, Max = 1 },
        };
        if (cluster.AgentImage is { } agentImage)
        {
            // Apocryph has no init containers: the image derived from the ScyllaDB image (agent/Dockerfile) runs the
            // agent, which starts ScyllaDB's entrypoint as its child and takes the volume lock first (a Deployment's
            // rolling update mounts the volume in a second pod while the first still runs).
            scylla.Image = new Image { Url = agentImage };
            scylla.Command.Clear();
            scylla.Command.Add([AgentConfigFile.ImageBinary, "run", "--config", AgentConfigFile.Path]);
            // Published as a NodePort like ScyllaDB's ports (ports.agent, 30000-32767): agents at other providers dial it.
            scylla.Ports.Add(new Container.Types.Port { Name = "agent", ContainerPort = (ulong)cluster.Ports.Agent, HostTcpPort = (ulong)cluster.Ports.Agent });
        }
        foreach (var file in plan.Files.Where(f => f.Consumer == FileConsumer.Scylla))
        {
            var volume = VolumeName(file.Key);
            pod.Volumes.Add(new Volume
            {
                Name = volume,
                Type = Volume.Types.Type.VolumeSecret,
                Secret = new Volume.Types.SecretConfig { ContentsString = ContentToken(file.Key) },
            });
            scylla.Volumes.Add(new Container.Types.VolumeMount { Name = volume, MountPath = file.MountPath, ReadOnly = true });
        }
        return pod;
    }

    /// <summary>Protojson text; each secret file's contents stand as the JSON string <see cref="ContentToken"/>.</summary>
    public static string Render(NodePlan plan) => PodJson.Format(Build(plan)) + "\n";

    /// <summary>
    /// Protojson as a provider accepts it when called directly (not through tpodctl): every secret volume carries
    /// `contents` (bytes, base64 in JSON) where <see cref="Render"/> has `contentsString`. The placeholder
    /// <see cref="ContentToken"/> stands for the file's base64 text, quotes included.
    /// </summary>
    public static string RenderForProvider(NodePlan plan) =>
        plan.Files.Where(f => f.Consumer == FileConsumer.Scylla).Aggregate(Render(plan), (json, f) =>
            json.Replace($"\"contentsString\": \"{ContentToken(f.Key)}\"", $"\"contents\": \"{ContentToken(f.Key)}\"", StringComparison.Ordinal));

    /// <summary>The placeholder for a file's contents (a JSON string value, quotes included, once rendered).</summary>
    public static string ContentToken(string key) => $"@@apocryph-file-{key}@@";

    private static string VolumeName(string key) => "file-" + key.Replace('.', '-').ToLowerInvariant();
}
