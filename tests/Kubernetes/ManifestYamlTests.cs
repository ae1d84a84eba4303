using k8s;
using k8s.Models;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Kubernetes;
using ScyllaApocryph.Tests.Components;

namespace ScyllaApocryph.Tests.Kubernetes;

/// <summary>Rendered manifests read back by the Kubernetes client as exactly the objects that were rendered.</summary>
public sealed class ManifestYamlTests
{
    [Fact]
    public void Every_rendered_object_reads_back_as_the_same_object()
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters());
        var plan = NodePlan.For(topology, topology.Slots[1]);
        IKubernetesObject[] objects = [.. KubernetesManifests.Datacenter(topology, "alpha", "db"), .. KubernetesManifests.Node(plan, "db", "fast")];

        foreach (var o in objects)
        {
            var back = KubernetesYaml.Deserialize<object>(ManifestYaml.Serialize(o), strict: true);
            Assert.NotNull(back);
        }
        var yaml = KubernetesManifests.ToYaml(objects);
        var read = KubernetesYaml.LoadAllFromString(yaml, new Dictionary<string, Type>
        {
            ["v1/Namespace"] = typeof(V1Namespace), ["v1/Service"] = typeof(V1Service), ["v1/ConfigMap"] = typeof(V1ConfigMap),
            ["v1/Secret"] = typeof(V1Secret), ["apps/v1/StatefulSet"] = typeof(V1StatefulSet), ["policy/v1/PodDisruptionBudget"] = typeof(V1PodDisruptionBudget),
        }, strict: true);
        Assert.Equal(objects.Select(o => KubernetesJson.Serialize(o)), read.Select(r => KubernetesJson.Serialize(r)));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("No")]
    [InlineData("0x1f")]
    [InlineData("1:20")]
    [InlineData("1e3")]
    [InlineData("@@token@@")]
    [InlineData("a: b")]
    [InlineData("line one\nline two\n")]
    [InlineData("  leading spaces\nand a tab\t\n")]
    public void A_label_or_data_value_that_looks_like_another_type_stays_the_same_string(string value)
    {
        var map = new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "x" }, Data = new Dictionary<string, string> { ["k"] = value } };

        var back = KubernetesYaml.Deserialize<V1ConfigMap>(ManifestYaml.Serialize(map), strict: true);

        Assert.Equal(value, back.Data["k"]);
    }
}
