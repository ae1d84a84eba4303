using Google.Protobuf;
using k8s;
using k8s.Models;
using ScyllaApocryph.Components.Apocryph;
using ScyllaApocryph.Components.Apocryph.Proto;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Compose;
using ScyllaApocryph.Components.Kubernetes;
using ScyllaApocryph.Engine.Values;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Tests.Components;

public sealed class RendererTests
{
    private static readonly Dictionary<string, Type> Kinds = new()
    {
        ["v1/Namespace"] = typeof(V1Namespace),
        ["v1/Service"] = typeof(V1Service),
        ["v1/ConfigMap"] = typeof(V1ConfigMap),
        ["v1/Secret"] = typeof(V1Secret),
        ["apps/v1/StatefulSet"] = typeof(V1StatefulSet),
        ["policy/v1/PodDisruptionBudget"] = typeof(V1PodDisruptionBudget),
    };

    private static NodePlan Plan(SecurityMode security = SecurityMode.Tls)
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters(security: security));
        return NodePlan.For(topology, topology.Slots[1]);
    }

    /// <summary>The manifests as they are once generated values exist: every placeholder filled with a sample.</summary>
    private static string Filled(NodePlan plan, string text, Func<string, string> token, Func<string, string> encode) =>
        Template.Fill(text, plan.Files.ToDictionary(f => token(f.Key), f => (PropertyValue)encode(f.Text.Replace(ScyllaNodeConfig.SuperuserHashToken, "$6$salt$hash")))).AsString!;

    [Theory]
    [InlineData(SecurityMode.Tls)]
    [InlineData(SecurityMode.Nebula)]
    public void Every_Kubernetes_object_deserializes_strictly_into_its_model(SecurityMode security)
    {
        var plan = Plan(security);
        var yaml = KubernetesManifests.ToYaml([.. KubernetesManifests.Datacenter(plan.Topology, "alpha", "db"), .. KubernetesManifests.Node(plan, "db", "fast")]);
        yaml = Filled(plan, yaml, KubernetesManifests.SecretDataToken, t => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(t)));

        var objects = KubernetesYaml.LoadAllFromString(yaml, Kinds, strict: true);

        // tls: namespace, headless Service, PDB, node Service, ConfigMap, Secret, StatefulSet. nebula: no node
        // Service (ScyllaDB listens on the overlay only) but a NodePort for Nebula's UDP.
        Assert.Equal(7, objects.Count);
        Assert.Equal(security == SecurityMode.Nebula, objects.OfType<V1Service>().Any(s => s.Spec.Type == "NodePort"));
        var secret = objects.OfType<V1Secret>().Single();
        Assert.Contains("$6$salt$hash", System.Text.Encoding.UTF8.GetString(secret.Data["scylla.yaml"]));
    }

    [Theory]
    [InlineData(SecurityMode.Tls)]
    [InlineData(SecurityMode.Nebula)]
    public void The_statefulset_runs_one_node_with_guaranteed_resources_a_readiness_check_and_a_drain(SecurityMode security)
    {
        var set = KubernetesManifests.Node(Plan(security), "db", "fast").OfType<V1StatefulSet>().Single();

        Assert.Equal(1, set.Spec.Replicas);
        var allContainers = set.Spec.Template.Spec.Containers.Concat(set.Spec.Template.Spec.InitContainers ?? []).ToList();
        Assert.All(allContainers, c =>
        {
            Assert.Equal(c.Resources.Limits["cpu"], c.Resources.Requests["cpu"]);
            Assert.Equal(c.Resources.Limits["memory"], c.Resources.Requests["memory"]);
        });
        var scylla = set.Spec.Template.Spec.Containers.Single(c => c.Name == "scylla");
        Assert.Equal(ReadinessCheck.Command, scylla.ReadinessProbe.Exec.Command);
        Assert.Contains(scylla.VolumeMounts, m => m.MountPath == ReadinessCheck.MountPath);
        Assert.Equal(["/bin/bash", "-c", "nodetool -h 127.0.0.1 drain & sleep 15 & wait"], scylla.Lifecycle.PreStop.Exec.Command);
        Assert.Equal("fast", set.Spec.VolumeClaimTemplates.Single().Spec.StorageClassName);
        Assert.Equal("20Gi", set.Spec.VolumeClaimTemplates.Single().Spec.Resources.Requests["storage"].ToString());
        Assert.All(allContainers, c => Assert.NotEqual(true, c.SecurityContext?.Privileged));
    }

    [Fact]
    public void The_readiness_check_is_valid_python()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, ReadinessCheck.Script("http://127.0.0.1:10000"));
            using var python = System.Diagnostics.Process.Start("python3", ["-m", "py_compile", file]);
            python.WaitForExit(30_000);
            Assert.Equal(0, python.ExitCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Only_the_nebula_sidecar_gets_NET_ADMIN_and_the_tun_device_and_its_UDP_port_is_a_NodePort()
    {
        var objects = KubernetesManifests.Node(Plan(SecurityMode.Nebula), "db", null);

        var pod = objects.OfType<V1StatefulSet>().Single().Spec.Template.Spec;
        var nebula = pod.InitContainers.Single(c => c.Name == "nebula");
        Assert.Equal("Always", nebula.RestartPolicy); // a native sidecar: up before ScyllaDB binds its overlay IP
        Assert.Equal(["NET_ADMIN"], nebula.SecurityContext.Capabilities.Add);
        var containers = pod.Containers.Concat(pod.InitContainers).ToList();
        Assert.All(containers.Where(c => c.Name != "nebula"), c => Assert.DoesNotContain("NET_ADMIN", c.SecurityContext?.Capabilities?.Add ?? []));
        var udp = objects.OfType<V1Service>().Single(s => s.Spec.Type == "NodePort");
        Assert.Equal("UDP", udp.Spec.Ports.Single().Protocol);
        Assert.DoesNotContain(KubernetesManifests.Node(Plan(SecurityMode.Tls), "db", null).OfType<V1Service>(), s => s.Spec.Type == "NodePort");
    }

    [Fact]
    public void The_Apocryph_manifest_round_trips_through_the_generated_parser()
    {
        var plan = Plan();
        var json = Filled(plan, ApocryphPodManifest.Render(plan), k => $"\"{ApocryphPodManifest.ContentToken(k)}\"", t => System.Text.Json.JsonSerializer.Serialize(t));

        var pod = JsonParser.Default.Parse<Pod>(json);

        Assert.Equal(1u, pod.Replicas.Min);
        Assert.Equal(1u, pod.Replicas.Max);
        var scylla = pod.Containers.Single(c => c.Name == "scylla");
        Assert.Equal([(ulong)plan.Cluster.Ports.SslStorage, (ulong)plan.Cluster.Ports.CqlTls, (ulong)plan.Cluster.Ports.CqlShardAwareTls], scylla.Ports.Select(p => p.HostTcpPort));
        Assert.All(scylla.Ports, p => Assert.Equal(p.ContainerPort, p.HostTcpPort));
        var data = pod.Volumes.Single(v => v.Name == "data");
        Assert.Equal(Volume.Types.Type.VolumeFilesystem, data.Type);
        Assert.Equal(20UL << 30, data.Filesystem.ResourceRequests.Single().Amount);
        Assert.Contains("$6$salt$hash", pod.Volumes.Single(v => v.Type == Volume.Types.Type.VolumeSecret && v.Secret.ContentsString.Contains("cluster_name")).Secret.ContentsString);
    }

    [Fact]
    public void The_node_agent_starts_ScyllaDB_when_its_image_is_configured()
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters());
        var withAgent = Topology.Build(topology.Stack with { Cluster = topology.Cluster with { AgentImage = "registry.example/agent:1" } });

        Assert.Equal(["scylla"], ApocryphPodManifest.Build(NodePlan.For(topology, topology.Slots[0])).Containers.Select(c => c.Name));
        Assert.DoesNotContain(NodePlan.For(topology, topology.Slots[0]).Files, f => f.Key == AgentConfigFile.Key);

        // Apocryph: no init containers, so the image derived from ScyllaDB's (agent/Dockerfile) runs the agent.
        var pod = ApocryphPodManifest.Build(NodePlan.For(withAgent, withAgent.Slots[0]));
        Assert.Equal(["scylla"], pod.Containers.Select(c => c.Name));
        Assert.Equal("registry.example/agent:1", pod.Containers[0].Image.Url);
        Assert.Equal([AgentConfigFile.ImageBinary, "run", "--config", AgentConfigFile.Path], pod.Containers[0].Command);
        Assert.Contains(pod.Containers[0].Volumes, v => v.MountPath == AgentConfigFile.Path);
        Assert.Contains(pod.Containers[0].Volumes, v => v.MountPath == AgentConfigFile.BaseScyllaYamlPath);

        // Kubernetes: an init container copies the agent into an emptyDir; the ScyllaDB image's container runs it.
        var set = KubernetesManifests.Node(NodePlan.For(withAgent, withAgent.Slots[0]), "db", null).OfType<V1StatefulSet>().Single();
        var spec = set.Spec.Template.Spec;
        var install = Assert.Single(spec.InitContainers, c => c.Name == "agent-install");
        Assert.Equal("registry.example/agent:1", install.Image);
        Assert.Equal([AgentConfigFile.ImageBinary, "install", "/agent"], install.Command);
        var scylla = Assert.Single(spec.Containers);
        Assert.Equal(topology.Cluster.Image, scylla.Image);
        Assert.Equal([AgentConfigFile.KubernetesBinary, "run", "--config", AgentConfigFile.Path], scylla.Command);
        Assert.Contains(scylla.VolumeMounts, m => m.Name == "agent" && m.MountPath == "/agent");
        Assert.Contains(spec.Volumes, v => v.Name == "agent" && v.EmptyDir is not null);

        // Compose: the same derived image.
        var compose = ScyllaApocryph.Components.Compose.ComposeFile.Render(withAgent,
            withAgent.Slots.Select(s => NodePlan.For(withAgent, s)).ToList(), s => s.Name);
        Assert.Contains("image: registry.example/agent:1", compose);
        Assert.Contains(AgentConfigFile.ImageBinary, compose);
    }

    [Fact]
    public void In_nebula_mode_the_overlay_firewall_admits_the_agent_port_from_the_cluster_only_when_agents_run()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        bool AgentRule(Topology t) => ScyllaApocryph.Components.Mesh.NebulaMeshPlanner.Plan(SecurityMaterial.MeshSpec(t))[0].Firewall.Inbound
            .Any(r => r.Port == ScyllaApocryph.Components.Defaults.Ports.Agent.ToString(System.Globalization.CultureInfo.InvariantCulture) && r.Group == "demo");
        Assert.False(AgentRule(Topology.Build(stack)));
        Assert.True(AgentRule(Topology.Build(stack with { Cluster = stack.Cluster with { AgentImage = "registry.example/agent:1" } })));
    }

    [Fact]
    public void With_the_agent_every_file_ScyllaDB_or_the_agent_reads_is_a_whole_directory_mount_that_sees_updates()
    {
        var stack = ClusterFixtures.ThreeDatacenters();
        var topology = Topology.Build(stack with { Cluster = stack.Cluster with { AgentImage = "registry.example/agent:1" } });
        var tls = ScyllaApocryph.Components.Mesh.ScyllaTlsFiles.In(ScyllaNodeConfig.TlsDirectory);
        var plan = NodePlan.For(topology, topology.Slots[1],
        [
            new NodeFile("ca.crt", tls.Truststore, "ca", Secret: true), new NodeFile("node.crt", tls.Certificate, "cert", Secret: true),
            new NodeFile("node.key", tls.Key, "key", Secret: true),
        ]);
        var pod = KubernetesManifests.Node(plan, "db", null).OfType<V1StatefulSet>().Single().Spec.Template.Spec;
        var scylla = pod.Containers.Single(c => c.Name == "scylla");

        // subPath mounts never see a changed ConfigMap or Secret: only the readiness script (in the image's /etc/scylla) keeps one.
        var subPaths = scylla.VolumeMounts.Where(m => m.SubPath is not null).ToList();
        Assert.Equal([ReadinessCheck.MountPath], subPaths.Select(m => m.MountPath));
        V1Volume MountedAt(string dir) => pod.Volumes.Single(v => v.Name == scylla.VolumeMounts.Single(m => m.MountPath == dir && m.SubPath is null).Name);
        var agentDir = MountedAt(AgentConfigFile.Directory).Projected.Sources;
        Assert.Equal([AgentConfigFile.Key, "cassandra-rackdc.properties"], agentDir.Single(p => p.ConfigMap is not null).ConfigMap.Items.Select(i => i.Key).Order());
        Assert.Equal(["scylla.yaml"], agentDir.Single(p => p.Secret is not null).Secret.Items.Select(i => i.Path));
        Assert.Equal(0x180, agentDir.Single(p => p.Secret is not null).Secret.Items.Single().Mode);
        var tlsDir = MountedAt(ScyllaNodeConfig.TlsDirectory).Projected.Sources.Single();
        Assert.Equal(["ca.crt", "node.crt", "node.key"], tlsDir.Secret.Items.Select(i => i.Path).Order());

        // The agent watches what it is given: the TLS files (through its tls key) and the rack file it copies into /etc/scylla.
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, plan.Files.Single(f => f.Key == AgentConfigFile.Key).Text);
            var config = ScyllaApocryph.Agent.AgentConfig.Load(path);
            Assert.Equal([AgentConfigFile.RackDcPath], config.ConfFiles);
            Assert.Equal(new[] { AgentConfigFile.RackDcPath, tls.Truststore, tls.Certificate, tls.Key }.Order(StringComparer.Ordinal),
                ScyllaApocryph.Agent.InputFingerprint.Watched(config));
        }
        finally
        {
            File.Delete(path);
        }

        // Without the agent nothing watches, and ScyllaDB reads /etc/scylla itself: the image's directory keeps its subPath files.
        var plain = KubernetesManifests.Node(NodePlan.For(Topology.Build(stack), topology.Slots[1]), "db", null).OfType<V1StatefulSet>().Single();
        Assert.Contains(plain.Spec.Template.Spec.Containers[0].VolumeMounts, m => m.MountPath == $"{ScyllaNodeConfig.ConfigDirectory}/scylla.yaml" && m.SubPath == "scylla.yaml");
    }

    [Fact]
    public void In_nebula_mode_the_agent_sees_nebula_yaml_but_not_its_keys_and_shares_the_pods_processes_to_reload_it()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        var topology = Topology.Build(stack with { Cluster = stack.Cluster with { AgentImage = "registry.example/agent:1" } });
        var plan = NodePlan.For(topology, topology.Slots[1],
        [
            new NodeFile("nebula.yaml", SecurityMaterial.NebulaConfigPath, "config", Secret: true, FileConsumer.Nebula),
            new NodeFile("nebula-host.key", SecurityMaterial.NebulaDirectory + "/host.key", "key", Secret: true, FileConsumer.Nebula),
        ]);
        var pod = KubernetesManifests.Node(plan, "db", null).OfType<V1StatefulSet>().Single().Spec.Template.Spec;
        Assert.True(pod.ShareProcessNamespace);
        var scylla = pod.Containers.Single(c => c.Name == "scylla");
        var copy = scylla.VolumeMounts.Single(m => m.MountPath == AgentConfigFile.NebulaConfigCopyDirectory);
        Assert.Equal(["nebula.yaml"], pod.Volumes.Single(v => v.Name == copy.Name).Projected.Sources.Single().Secret.Items.Select(i => i.Key));
        var nebula = pod.InitContainers.Single(c => c.Name == "nebula");
        Assert.Contains(nebula.VolumeMounts, m => m.MountPath == SecurityMaterial.NebulaDirectory && m.SubPath is null);

        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, plan.Files.Single(f => f.Key == AgentConfigFile.Key).Text);
            var config = ScyllaApocryph.Agent.AgentConfig.Load(path);
            Assert.Equal(new ScyllaApocryph.Agent.AgentNebula(AgentConfigFile.NebulaConfigCopyDirectory + "/nebula.yaml", "nebula",
                SecurityMaterial.NebulaConfigPath), config.Nebula);
        }
        finally
        {
            File.Delete(path);
        }
        // Without the agent nobody reloads Nebula: no shared process namespace.
        var plain = KubernetesManifests.Node(NodePlan.For(Topology.Build(stack), topology.Slots[1], plan.Files.Where(f => f.Consumer == FileConsumer.Nebula)),
            "db", null).OfType<V1StatefulSet>().Single();
        Assert.Null(plain.Spec.Template.Spec.ShareProcessNamespace);
    }

    [Theory]
    [InlineData(SecurityMode.Tls)]
    [InlineData(SecurityMode.Nebula)]
    public void The_rendered_agent_configuration_is_one_the_agent_accepts(SecurityMode security)
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: security);
        var topology = Topology.Build(stack with { Cluster = stack.Cluster with { AgentImage = "registry.example/agent:1" } });
        var node = topology.Slots[4];
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, NodePlan.For(topology, node).Files.Single(f => f.Key == AgentConfigFile.Key).Text);
            var config = ScyllaApocryph.Agent.AgentConfig.Load(path);

            Assert.Equal(node.Name, config.Slot);
            Assert.Equal(topology.Slots.Select(s => s.Address), config.Slots.Select(s => s.Address));
            Assert.Equal(topology.Slots[0].Name, config.FounderSlot);
            Assert.True(config.NewCluster); // nothing deployed yet
            Assert.Equal(security == SecurityMode.Tls ? "https" : "http", new Uri(config.Self.AgentUrl).Scheme);
            Assert.Equal("/docker-entrypoint.py", config.Entrypoint[0]);
            Assert.Equal(3, config.ReplicationFactors["alpha"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_Apocryph_manifest_has_protojson_shapes()
    {
        var json = ApocryphPodManifest.Render(Plan());

        Assert.Contains("\"hostTcpPort\": \"7001\"", json);        // 64-bit integers as strings
        Assert.Contains("\"type\": \"VOLUME_FILESYSTEM\"", json);     // enums by name
        Assert.Contains("\"amount\": \"4294967296\"", json);
        Assert.DoesNotContain("host_tcp_port", json);
    }

    [Fact]
    public void The_compose_file_parses_as_yaml_with_one_service_per_node_started_after_its_seeds()
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters(nodes: 2));
        var plans = topology.Slots.Select(s => NodePlan.For(topology, s)).ToList();

        var yaml = ComposeFile.Render(topology, plans, s => $"{s.Provider}/{s.Name}");
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var services = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["services"];

        Assert.Equal(topology.Slots.Select(s => s.Name).Append(ComposeFile.KeyspacesService).Append(ComposeFile.CqlshService), services.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        var beta0 = (YamlMappingNode)services["demo-beta-0"];
        Assert.Equal(["demo-alpha-0", "demo-alpha-1"], ((YamlMappingNode)beta0["depends_on"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        Assert.Contains("./beta/demo-beta-0/etc/scylla/scylla.yaml:/etc/scylla/scylla.yaml:ro", ((YamlSequenceNode)beta0["volumes"]).Children.Select(c => ((YamlScalarNode)c).Value));
        // Compose wants strings in a command list: numbers must be quoted.
        Assert.DoesNotContain(((YamlSequenceNode)beta0["command"]).Children.Cast<YamlScalarNode>(),
            c => c.Style == YamlDotNet.Core.ScalarStyle.Plain && int.TryParse(c.Value, out _));
    }
}
