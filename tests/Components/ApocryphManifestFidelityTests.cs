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

    private static ResourceGraph Declare(SecurityMode security)
    {
        var graph = new ResourceGraph("test", "scylla-apocryph");
        ScyllaCluster.Declare(graph, ClusterFixtures.ThreeDatacenters(nodes: 1, security: security) with { ComposeDirectory = "out" });
        return graph;
    }

    private static string Summary(ResourceGraph graph) =>
        graph.Resources.Single(r => r.Name.EndsWith("summary.md", StringComparison.Ordinal)).Inputs.GetString("content")!;
}
