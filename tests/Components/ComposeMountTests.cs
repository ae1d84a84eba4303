using ScyllaApocryph.Components;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Resources;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Tests.Components;

/// <summary>
/// The compose trial bind-mounts whole directories of rendered files, so a file the render provider replaces by
/// rename (a renewed certificate, a new agent.json) reaches the running container; a single-file bind mount would
/// keep showing the old file (Docker binds the inode).
/// </summary>
public sealed class ComposeMountTests
{
    private sealed record Mount(string Source, string Target);

    private static (Topology Topology, ResourceGraph Graph, YamlMappingNode Services) Declare(bool agent, SecurityMode security)
    {
        var stack = ClusterFixtures.ThreeDatacenters(2, security) with { ComposeDirectory = "out" };
        if (agent) stack = stack with { Cluster = stack.Cluster with { AgentImage = "registry.example/agent:1" } };
        var graph = new ResourceGraph(stack.Stack, stack.Project);
        var topology = ScyllaCluster.Declare(graph, stack);
        var compose = graph.Resources.Single(r => r.Type == ResourceTypes.File && r.Inputs.GetString("path") == "docker-compose.yaml");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(compose.Inputs.GetString("content")!));
        return (topology, graph, (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"]);
    }

    /// <summary>A node's bind mounts, sources relative to its rendered folder (the fixture renders nodes and compose into out/).</summary>
    private static List<Mount> BindMounts(YamlMappingNode services, NodeSlot slot)
    {
        var mounts = new List<Mount>();
        foreach (var volume in ((YamlSequenceNode)((YamlMappingNode)services[slot.Name])["volumes"]).Children.Select(c => ((YamlScalarNode)c).Value!))
        {
            if (!volume.StartsWith("./", StringComparison.Ordinal)) continue; // the named data volume
            var parts = volume.Split(':');
            Assert.Equal(3, parts.Length);
            Assert.Equal("ro", parts[2]);
            var prefix = $"./{slot.Name}/";
            Assert.StartsWith(prefix, parts[0]);
            mounts.Add(new Mount(parts[0][prefix.Length..], parts[1]));
        }
        return mounts;
    }

    /// <summary>The node's rendered files (paths relative to its folder), as the render provider writes them.</summary>
    private static Dictionary<string, ResourceDeclaration> Rendered(ResourceGraph graph, NodeSlot slot) =>
        graph.Resources.Where(r => r.Type == ResourceTypes.File && r.Provider == slot.Provider && r.Inputs.GetString("path")!.StartsWith(slot.Name + "/", StringComparison.Ordinal))
            .ToDictionary(r => r.Inputs.GetString("path")![(slot.Name.Length + 1)..]);

    [Theory]
    [InlineData(true, SecurityMode.Tls)]
    [InlineData(true, SecurityMode.None)]
    [InlineData(false, SecurityMode.Tls)]
    [InlineData(false, SecurityMode.None)]
    public void Every_file_scylla_reads_reaches_its_container_through_one_mount_of_a_rendered_folder_that_holds_exactly_that_directory(bool agent, SecurityMode security)
    {
        var (topology, graph, services) = Declare(agent, security);
        foreach (var slot in topology.Slots)
        {
            var rendered = Rendered(graph, slot);
            var mounts = BindMounts(services, slot);
            var wanted = new HashSet<string>();
            foreach (var mount in mounts)
            {
                if (rendered.ContainsKey(mount.Source))
                {
                    // One file on its own: only beside the image's own files, where a directory would hide them.
                    Assert.Equal(ScyllaNodeConfig.ConfigDirectory, mount.Target[..mount.Target.LastIndexOf('/')]);
                    Assert.Equal(mount.Source, mount.Target.TrimStart('/'));
                    Assert.True(wanted.Add(mount.Target), $"{mount.Target} is mounted twice");
                    continue;
                }
                Assert.NotEqual(ScyllaNodeConfig.ConfigDirectory, mount.Target); // would hide the image's /etc/scylla
                var inside = rendered.Keys.Where(p => p.StartsWith(mount.Source + "/", StringComparison.Ordinal)).ToList();
                Assert.NotEmpty(inside);
                foreach (var path in inside)
                {
                    var target = mount.Target + path[mount.Source.Length..];
                    // Nothing else in the mounted folder (no kubernetes.yaml, no other container's files), no nested mounts of ours.
                    Assert.Equal(mount.Target, target[..target.LastIndexOf('/')]);
                    Assert.True(wanted.Add(target), $"{target} is mounted twice");
                }
            }
            // Every ScyllaDB-side file is mounted, and nothing else is.
            var scyllaFiles = rendered.Keys.Where(p => p.StartsWith("etc/", StringComparison.Ordinal) && !p.StartsWith("etc/nebula/", StringComparison.Ordinal)).Select(p => "/" + p);
            Assert.Equal(scyllaFiles.Order(), wanted.Order());
            if (security == SecurityMode.Tls)
                Assert.Contains(mounts, m => m.Target == ScyllaNodeConfig.TlsDirectory);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void No_file_filled_from_a_certificate_or_another_resource_is_bind_mounted_on_its_own(bool agent)
    {
        var (topology, graph, services) = Declare(agent, SecurityMode.Tls);
        foreach (var slot in topology.Slots)
        {
            var rendered = Rendered(graph, slot);
            Assert.Contains(rendered.Values, r => r.Inputs["content"].References.Any()); // the certificates are there
            foreach (var single in BindMounts(services, slot).Where(m => rendered.ContainsKey(m.Source)))
            {
                var content = rendered[single.Source].Inputs["content"];
                // Without the agent scylla.yaml carries the superuser's hash (a resource output) in the image's
                // /etc/scylla; it is not renewed and nobody would watch it. Certificates never come on their own.
                if (!agent && single.Target == $"{ScyllaNodeConfig.ConfigDirectory}/scylla.yaml") continue;
                Assert.False(content.References.Any(), $"{single.Target} is filled from another resource yet bind-mounted on its own");
            }
            // With the agent, the only single file is the readiness script (the agent copies the rest into /etc/scylla).
            if (agent)
                Assert.Equal([ReadinessCheck.MountPath], BindMounts(services, slot).Where(m => rendered.ContainsKey(m.Source)).Select(m => m.Target));
        }
    }
}
