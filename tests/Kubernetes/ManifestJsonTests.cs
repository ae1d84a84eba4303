using k8s;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Kubernetes;
using ScyllaApocryph.Tests.Components;

namespace ScyllaApocryph.Tests.Kubernetes;

/// <summary>
/// The build-time JSON metadata for the kinds this program renders writes exactly what the client's own
/// <see cref="KubernetesJson"/> writes (upstream is the reference), byte for byte, for every object of every mode.
/// </summary>
public sealed class ManifestJsonTests
{
    public static TheoryData<SecurityMode, bool> Modes() => new()
    {
        { SecurityMode.Tls, false }, { SecurityMode.Tls, true }, { SecurityMode.Nebula, false }, { SecurityMode.Nebula, true },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Every_rendered_object_is_written_as_the_clients_serializer_writes_it(SecurityMode security, bool nodeSetup)
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters(security: security));
        var objects = topology.Slots.SelectMany(s => KubernetesManifests.Node(NodePlan.For(topology, s), "db", "fast", "high"))
            .Concat(topology.Slots.Select(s => s.Datacenter).Distinct().SelectMany(dc => KubernetesManifests.Datacenter(topology, dc, "db", nodeSetup)))
            .ToList();

        Assert.Contains(objects, o => o.Kind == "StatefulSet");
        Assert.Equal(nodeSetup, objects.Any(o => o.Kind == "DaemonSet"));
        foreach (var o in objects) Assert.Equal(KubernetesJson.Serialize(o), ManifestJson.Serialize(o));
    }

    [Fact]
    public void A_kind_without_build_time_metadata_is_still_written_by_the_client()
    {
        var role = new k8s.Models.V1Role { ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "Role", Metadata = new() { Name = "r" } };

        Assert.Equal(KubernetesJson.Serialize(role), ManifestJson.Serialize(role));
    }
}
