using k8s;
using k8s.Models;
using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Components.Kubernetes;

/// <summary>
/// Kubernetes objects for a datacenter and its nodes, built from the KubernetesClient models so every object is
/// well-formed for its kind. Identity choice: one StatefulSet (replicas 1) per node slot rather than one per rack.
/// A per-rack StatefulSet ties identity to an ordinal and removes the highest pod on scale-down by itself, before
/// ScyllaDB has decommissioned it; one per slot lets the membership reconciler decommission first, replace any one
/// node on its own, and keep each slot's volume and Service (its stable address) bound to that slot alone.
/// </summary>
public static class KubernetesManifests
{
    /// <summary>Objects shared by a datacenter: namespace, headless Service, PodDisruptionBudget.</summary>
    public static IReadOnlyList<IKubernetesObject> Datacenter(Topology topology, string datacenter, string ns, bool nodeSetup = false)
    {
        var labels = DatacenterLabels(topology.Cluster, datacenter);
        IReadOnlyList<IKubernetesObject> setup = nodeSetup ? [NodeSetup.DaemonSet(topology.Cluster, ns, labels)] : [];
        return
        [
            new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = ns } },
            new V1Service
            {
                ApiVersion = "v1", Kind = "Service",
                Metadata = Meta($"{topology.Cluster.Name}-{datacenter}", ns, labels),
                Spec = new V1ServiceSpec
                {
                    ClusterIP = "None",
                    PublishNotReadyAddresses = true,
                    Selector = labels,
                    Ports = [new V1ServicePort { Name = "cql", Port = topology.Cluster.CqlPort }],
                },
            },
            new V1PodDisruptionBudget
            {
                ApiVersion = "policy/v1", Kind = "PodDisruptionBudget",
                Metadata = Meta($"{topology.Cluster.Name}-{datacenter}", ns, labels),
                // One node down at a time: a second voluntary disruption could cost quorum.
                Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1, Selector = new V1LabelSelector { MatchLabels = labels } },
            },
            .. setup,
        ];
    }

    /// <summary>Objects of one node: Service (stable address), ConfigMap, Secret, StatefulSet; in nebula mode a UDP NodePort.</summary>
    public static IReadOnlyList<IKubernetesObject> Node(NodePlan plan, string ns, string? storageClass, string? priorityClass = null)
    {
        var cluster = plan.Cluster;
        var slot = plan.Slot;
        var labels = NodeLabels(cluster, slot);
        var objects = new List<IKubernetesObject>();
        // The stable address outside the overlay. In nebula mode the overlay IP is the address and ScyllaDB listens
        // only there, so a Service would lead nowhere; only Nebula's UDP port is exposed (below).
        if (cluster.Security != SecurityMode.Nebula)
        {
            objects.Add(new V1Service
            {
                ApiVersion = "v1", Kind = "Service",
                Metadata = Meta(slot.Name, ns, labels),
                Spec = new V1ServiceSpec
                {
                    Type = "ClusterIP",
                    // Peers must reach a node that is still joining, before it is ready.
                    PublishNotReadyAddresses = true,
                    Selector = new Dictionary<string, string> { ["scylla-apocryph/node"] = slot.Name },
                    Ports = [.. plan.Ports.Select(p => new V1ServicePort { Name = p.Name, Port = p.Port, TargetPort = p.Port })],
                },
            });
        }
        objects.AddRange(
        [
            new V1ConfigMap
            {
                ApiVersion = "v1", Kind = "ConfigMap",
                Metadata = Meta($"{slot.Name}-config", ns, labels),
                Data = plan.Files.Where(f => !f.Secret).ToDictionary(f => f.Key, f => f.Text),
            },
            new V1Secret
            {
                ApiVersion = "v1", Kind = "Secret", Type = "Opaque",
                Metadata = Meta($"{slot.Name}-secret", ns, labels),
                // Filled by the component with each file's base64 once generated secrets exist.
                Data = plan.Files.Where(f => f.Secret).ToDictionary(f => f.Key, f => System.Text.Encoding.UTF8.GetBytes(SecretToken(f.Key))),
            },
            StatefulSet(plan, ns, labels, storageClass, priorityClass),
        ]);
        if (cluster.Security == SecurityMode.Nebula)
        {
            var nebulaPort = SecurityMaterial.NebulaPort(cluster, slot);
            objects.Add(new V1Service
            {
                ApiVersion = "v1", Kind = "Service",
                Metadata = Meta($"{slot.Name}-nebula", ns, labels),
                Spec = new V1ServiceSpec
                {
                    Type = "NodePort",
                    Selector = new Dictionary<string, string> { ["scylla-apocryph/node"] = slot.Name },
                    Ports = [new V1ServicePort { Name = "nebula", Protocol = "UDP", Port = nebulaPort, TargetPort = nebulaPort, NodePort = nebulaPort }],
                },
            });
        }
        return objects;
    }

    /// <summary>The placeholder a Secret's data value holds until <see cref="Template.Fill"/> puts the file's base64 there.</summary>
    public static string SecretToken(string key) => $"@@k8s-secret-{key}@@";

    /// <summary><see cref="SecretToken"/> as it appears in the YAML (Secret data is written as base64).</summary>
    public static string SecretDataToken(string key) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(SecretToken(key)));

    public static string ToYaml(IEnumerable<IKubernetesObject> objects) =>
        string.Join("---\n", objects.Select(o => ManifestYaml.Serialize(o).TrimEnd('\n') + "\n"));

    private static V1StatefulSet StatefulSet(NodePlan plan, string ns, IDictionary<string, string> labels, string? storageClass, string? priorityClass)
    {
        var cluster = plan.Cluster;
        var slot = plan.Slot;
        var resources = cluster.Resources;
        var cpu = new ResourceQuantity(resources.Cpu.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var memory = new ResourceQuantity(Quantities.FormatBytes(resources.MemoryBytes));
        // Guaranteed QoS: every container's requests equal its limits.
        static V1ResourceRequirements Exactly(ResourceQuantity cpu, ResourceQuantity memory) => new()
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = cpu, ["memory"] = memory },
            Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = cpu, ["memory"] = memory },
        };
        // A subPath mount never sees a changed ConfigMap or Secret (Kubernetes docs, "Using subPath": "A container using
        // a ConfigMap as a subPath volume mount will not receive ConfigMap updates"), so every directory of our own is a
        // whole-directory (projected) mount, which the kubelet updates in place: a renewed certificate or a new agent.json
        // reaches the running pod, where the node agent notices it. Only files in the image's own /etc/scylla (beside
        // files the image ships) keep subPath; with the agent nothing ScyllaDB reads is there (it copies them in).
        var projected = new List<V1Volume>();
        List<V1VolumeMount> FilesFor(FileConsumer consumer)
        {
            var mounts = new List<V1VolumeMount>();
            foreach (var dir in plan.Files.Where(f => f.Consumer == consumer).GroupBy(f => DirectoryOf(f.MountPath)))
            {
                if (dir.Key == ScyllaNodeConfig.ConfigDirectory)
                {
                    mounts.AddRange(dir.Select(f => new V1VolumeMount
                    {
                        Name = f.Secret ? "secret" : "config", MountPath = f.MountPath, SubPath = f.Key, ReadOnlyProperty = true,
                    }));
                    continue;
                }
                var name = DirectoryVolumeName(consumer, dir.Key);
                projected.Add(new V1Volume
                {
                    Name = name,
                    Projected = new V1ProjectedVolumeSource
                    {
                        Sources =
                        [
                            .. dir.Where(f => !f.Secret).Take(1).Select(_ => new V1VolumeProjection
                            {
                                ConfigMap = new V1ConfigMapProjection
                                {
                                    Name = $"{slot.Name}-config",
                                    Items = [.. dir.Where(f => !f.Secret).Select(f => new V1KeyToPath { Key = f.Key, Path = FileNameOf(f.MountPath), Mode = 0x1A4 })],
                                },
                            }),
                            .. dir.Where(f => f.Secret).Take(1).Select(_ => new V1VolumeProjection
                            {
                                Secret = new V1SecretProjection
                                {
                                    Name = $"{slot.Name}-secret",
                                    Items = [.. dir.Where(f => f.Secret).Select(f => new V1KeyToPath { Key = f.Key, Path = FileNameOf(f.MountPath), Mode = 0x180 })],
                                },
                            }),
                        ],
                    },
                });
                mounts.Add(new V1VolumeMount { Name = name, MountPath = dir.Key, ReadOnlyProperty = true });
            }
            return mounts;
        }
        var mounts = new List<V1VolumeMount> { new() { Name = "data", MountPath = ScyllaNodeConfig.DataDirectory } };
        mounts.AddRange(FilesFor(FileConsumer.Scylla));
        const string listen = "$(POD_IP)"; // in nebula mode the overlay IP takes its place
        var scylla = new V1Container
        {
            Name = "scylla",
            Image = cluster.Image,
            Args = [.. ScyllaNodeConfig.Arguments(plan.Topology, slot, listen)],
            Env = [new V1EnvVar { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } }],
            Ports = [.. plan.Ports.Select(p => new V1ContainerPort { Name = p.Name, ContainerPort = p.Port })],
            Resources = Exactly(cpu, memory),
            VolumeMounts = mounts,
            // Ready = own host ID up and normal, and CQL serving, asked of the node's own REST API.
            ReadinessProbe = new V1Probe
            {
                Exec = new V1ExecAction { Command = [.. ReadinessCheck.Command] },
                PeriodSeconds = 10, TimeoutSeconds = 8, FailureThreshold = 3,
            },
            // scylla-operator's probes (pkg/controller/scylladbdatacenter/resource.go): a start may run I/O benchmarks,
            // so startup allows 40 x 10 s; liveness restarts only a node whose REST API has not answered for 2 minutes.
            StartupProbe = new V1Probe { Exec = new V1ExecAction { Command = [.. Operator.ApiAnswers(cluster, slot)] }, PeriodSeconds = 10, TimeoutSeconds = 30, FailureThreshold = 40 },
            LivenessProbe = new V1Probe { Exec = new V1ExecAction { Command = [.. Operator.ApiAnswers(cluster, slot)] }, PeriodSeconds = 10, TimeoutSeconds = 10, FailureThreshold = 12 },
            Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Exec = new V1ExecAction { Command = [.. Operator.DrainThenSleep(cluster, slot)] } } },
            // CAP_SYS_NICE lets Seastar raise its I/O threads' priority, as scylla-operator grants (and ScyllaDB's log asks).
            SecurityContext = new V1SecurityContext { AllowPrivilegeEscalation = false, Capabilities = new V1Capabilities { Add = ["SYS_NICE"] } },
        };
        var containers = new List<V1Container> { scylla };
        var agentInstall = new List<V1Container>();
        if (cluster.AgentImage is { } agentImage)
        {
            // scylla-operator's sidecar pattern: an init container copies the agent into a shared emptyDir; the ScyllaDB
            // container runs the agent, which starts the image's own entrypoint as its child (agent.json says how).
            agentInstall.Add(new V1Container
            {
                Name = "agent-install",
                Image = agentImage,
                Command = [AgentConfigFile.ImageBinary, "install", "/agent"],
                Resources = Exactly(new ResourceQuantity("100m"), new ResourceQuantity("128Mi")),
                VolumeMounts = [new V1VolumeMount { Name = "agent", MountPath = "/agent" }],
                SecurityContext = new V1SecurityContext { AllowPrivilegeEscalation = false },
            });
            scylla.Command = [AgentConfigFile.KubernetesBinary, "run", "--config", AgentConfigFile.Path];
            scylla.Args = null;
            scylla.StartupProbe.Exec.Command = [.. AgentProbe.Livez(cluster, slot)];
            scylla.LivenessProbe.Exec.Command = [.. AgentProbe.Livez(cluster, slot)];
            scylla.Ports.Add(new V1ContainerPort { Name = "agent", ContainerPort = plan.Cluster.Ports.Agent });
            scylla.VolumeMounts.Add(new V1VolumeMount { Name = "agent", MountPath = "/agent", ReadOnlyProperty = true });
        }
        var volumes = new List<V1Volume>
        {
            new() { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = $"{slot.Name}-config" } },
            new() { Name = "secret", Secret = new V1SecretVolumeSource { SecretName = $"{slot.Name}-secret", DefaultMode = 0x180 } },
        };
        volumes.AddRange(projected.Where(v => volumes.All(o => o.Name != v.Name)));
        var shareProcesses = false;
        var initContainers = new List<V1Container>(agentInstall);
        if (agentInstall.Count > 0) volumes.Add(new V1Volume { Name = "agent", EmptyDir = new V1EmptyDirVolumeSource() });
        if (cluster.Security == SecurityMode.Nebula)
        {
            // A native sidecar (an init container that keeps running): it starts before ScyllaDB, which binds its
            // overlay IP, and stops after it, so the node never runs without its network.
            initContainers.Add(new V1Container
            {
                Name = "nebula",
                Image = cluster.NebulaImage,
                RestartPolicy = "Always",
                Args = ["-config", SecurityMaterial.NebulaConfigPath],
                Ports = [new V1ContainerPort { Name = "nebula", ContainerPort = SecurityMaterial.NebulaPort(cluster, slot), Protocol = "UDP" }],
                Resources = Exactly(new ResourceQuantity("100m"), new ResourceQuantity("64Mi")),
                // The overlay needs exactly this: a TUN device and the right to configure it. Nothing else is privileged.
                SecurityContext = new V1SecurityContext { Capabilities = new V1Capabilities { Add = ["NET_ADMIN"], Drop = ["ALL"] } },
                VolumeMounts = [new V1VolumeMount { Name = "tun", MountPath = "/dev/net/tun" }, .. FilesFor(FileConsumer.Nebula)],
            });
            volumes.Add(new V1Volume { Name = "tun", HostPath = new V1HostPathVolumeSource { Path = "/dev/net/tun", Type = "CharDevice" } });
            volumes.AddRange(projected.Where(v => volumes.All(o => o.Name != v.Name)));
            if (cluster.AgentImage is not null && plan.Files.FirstOrDefault(f => f.MountPath == SecurityMaterial.NebulaConfigPath) is { } nebulaYaml)
            {
                // The agent reloads Nebula (SIGHUP) when its configuration changes (a new blocklist): it sees a
                // read-only copy of nebula.yaml (not the Nebula keys) and, in a shared process namespace, the process.
                volumes.Add(new V1Volume
                {
                    Name = "files-agent-nebula",
                    Projected = new V1ProjectedVolumeSource
                    {
                        Sources =
                        [
                            new V1VolumeProjection
                            {
                                Secret = new V1SecretProjection
                                {
                                    Name = $"{slot.Name}-secret", Items = [new V1KeyToPath { Key = nebulaYaml.Key, Path = "nebula.yaml", Mode = 0x180 }],
                                },
                            },
                        ],
                    },
                });
                scylla.VolumeMounts.Add(new V1VolumeMount { Name = "files-agent-nebula", MountPath = AgentConfigFile.NebulaConfigCopyDirectory, ReadOnlyProperty = true });
                shareProcesses = true;
            }
        }
        return new V1StatefulSet
        {
            ApiVersion = "apps/v1", Kind = "StatefulSet",
            Metadata = Meta(slot.Name, ns, labels),
            Spec = new V1StatefulSetSpec
            {
                Replicas = 1,
                ServiceName = $"{cluster.Name}-{slot.Datacenter}",
                PodManagementPolicy = "OrderedReady",
                MinReadySeconds = Operator.MinReadySeconds,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["scylla-apocryph/node"] = slot.Name } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        InitContainers = initContainers.Count > 0 ? initContainers : null,
                        Containers = containers,
                        Volumes = volumes,
                        TerminationGracePeriodSeconds = 900, // drain and a clean shutdown take time; never cut them short
                        AutomountServiceAccountToken = false,
                        ShareProcessNamespace = shareProcesses ? true : null,
                        PriorityClassName = priorityClass,
                        Affinity = Operator.SpreadNodes(DatacenterLabels(cluster, slot.Datacenter)),
                        TopologySpreadConstraints = [Operator.SpreadOverZones(DatacenterLabels(cluster, slot.Datacenter))],
                    },
                },
                VolumeClaimTemplates =
                [
                    new V1PersistentVolumeClaim
                    {
                        Metadata = new V1ObjectMeta { Name = "data", Labels = labels },
                        Spec = new V1PersistentVolumeClaimSpec
                        {
                            AccessModes = ["ReadWriteOnce"],
                            StorageClassName = storageClass,
                            Resources = new V1VolumeResourceRequirements
                            {
                                Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(Quantities.FormatBytes(cluster.Resources.DiskBytes)) },
                            },
                        },
                    },
                ],
            },
        };
    }

    private static string DirectoryOf(string path) => path[..path.LastIndexOf('/')];

    private static string FileNameOf(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>A volume name (a DNS label) for a mounted directory: "files-etc-scylla-tls".</summary>
    private static string DirectoryVolumeName(FileConsumer consumer, string directory)
    {
        var name = "files-" + (consumer == FileConsumer.Nebula ? "nebula-" : "") + string.Concat(directory.Trim('/').Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-'));
        return name.Length <= 63 ? name : name[..63].TrimEnd('-');
    }

    private static V1ObjectMeta Meta(string name, string ns, IDictionary<string, string> labels) =>
        new() { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string>(labels) };

    private static Dictionary<string, string> DatacenterLabels(ClusterSpec cluster, string datacenter) => new()
    {
        ["app.kubernetes.io/name"] = "scylla",
        ["app.kubernetes.io/managed-by"] = "scylla-apocryph",
        ["scylla-apocryph/cluster"] = cluster.Name,
        ["scylla-apocryph/datacenter"] = datacenter,
    };

    private static Dictionary<string, string> NodeLabels(ClusterSpec cluster, NodeSlot slot) => new(DatacenterLabels(cluster, slot.Datacenter))
    {
        ["scylla-apocryph/node"] = slot.Name,
        ["scylla-apocryph/rack"] = slot.Rack,
    };
}
