using Google.Protobuf;
using ScyllaApocryph.Components.Apocryph;
using ScyllaApocryph.Components.Apocryph.Proto;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Resources;

namespace ScyllaApocryph.Tests.Components;

public sealed class ApocryphManifestFidelityTests
{
    [Fact]
    public void A_manifest_with_every_upstream_field_round_trips_whole()
    {
        // Fields from upstream proto/pod.proto (comrade-coop/apocryph at 4bbf371) that this project never writes:
        // a provider's copy of a manifest carries them, and a parse must not drop them.
        const string json = """
            {
              "containers": [{ "name": "c", "image": { "url": "x", "verificationDetails": { "signature": "s", "identity": "i", "issuer": "o" } },
                               "resourceRequests": [{ "resource": "memory", "amountMebi": "512" }, { "resource": "storage", "amountGibi": "2" },
                                                    { "resource": "other", "amountKibi": "7" }] }],
              "verificationSettings": { "forcePolicy": true, "publicVerifiability": true, "verificationHost": "v.example" }
            }
            """;
        var pod = JsonParser.Default.Parse<Pod>(json);

        Assert.Equal("s", pod.Containers[0].Image.VerificationDetails.Signature);
        Assert.Equal(512UL, pod.Containers[0].ResourceRequests[0].AmountMebi);
        Assert.Equal(2UL, pod.Containers[0].ResourceRequests[1].AmountGibi);
        Assert.Equal(7UL, pod.Containers[0].ResourceRequests[2].AmountKibi);
        Assert.True(pod.VerificationSettings.ForcePolicy);
        Assert.Equal("v.example", JsonParser.Default.Parse<Pod>(JsonFormatter.Default.Format(pod)).VerificationSettings.VerificationHost);
    }

    [Fact]
    public void Nebula_mode_renders_no_Apocryph_manifest_and_the_summary_says_why()
    {
        var nebula = Declare(SecurityMode.Nebula);
        var tls = Declare(SecurityMode.Tls);

        Assert.DoesNotContain(nebula.Resources, r => r.Name.EndsWith("apocryph-pod.json", StringComparison.Ordinal));
        Assert.Contains(tls.Resources, r => r.Name.EndsWith("apocryph-pod.json", StringComparison.Ordinal));
        Assert.Contains("No `apocryph-pod.json`", Summary(nebula));
        Assert.DoesNotContain("No `apocryph-pod.json`", Summary(tls));
    }

    [Fact]
    public void The_nodes_export_shows_an_Apocryph_nodes_ports_as_its_provider_answered_them()
    {
        var graph = new ResourceGraph("test", "scylla-apocryph");
        ScyllaCluster.Declare(graph, ClusterFixtures.Stack(SecurityMode.Tls, null,
            ("a", 1, ProviderKind.Apocryph), ("b", 1, ProviderKind.Render), ("c", 1, ProviderKind.Render)));

        var nodes = graph.Outputs.Get("nodes")!.AsArray!.Value.Select(n => n.AsMap!).ToList();
        var pod = graph.Resources.Single(r => r.Type == ScyllaApocryph.Components.ResourceTypes.ApocryphPod);
        Assert.Equal(new ScyllaApocryph.Engine.Values.OutputReference(pod.Urn, "ports"), nodes.Single(n => n.GetString("provider") == "a").Get("ports"));
        Assert.Equal("30701/internode-tls 30942/cql-tls 30943/cql-tls-shard", nodes.Single(n => n.GetString("provider") == "b").GetString("ports"));
    }

    private static ResourceGraph Declare(SecurityMode security)
    {
        var graph = new ResourceGraph("test", "scylla-apocryph");
        ScyllaCluster.Declare(graph, ClusterFixtures.ThreeDatacenters(nodes: 1, security: security) with { ComposeDirectory = "out" });
        return graph;
    }

    private static string Summary(ResourceGraph graph) =>
        graph.Resources.Single(r => r.Name.EndsWith("summary.md", StringComparison.Ordinal)).Inputs.GetString("content")!;
}
