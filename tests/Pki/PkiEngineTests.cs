using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Nebula;

namespace ScyllaApocryph.Tests.Pki;

/// <summary>The Nebula PKI wired the way a component would declare it, run by the real engine and nebula-cert.</summary>
public sealed class PkiEngineTests
{
    private static ResourceGraph Graph(int nodes)
    {
        var graph = new ResourceGraph("test", "pki");
        var ca = graph.Resource(NebulaCertificateAuthorityProvider.Type, "ca", "nebula", PropertyMap.Of(("name", "prod"), ("duration", "30d")));
        var certs = Enumerable.Range(0, nodes).Select(i => graph.Resource(NebulaCertificateProvider.Type, $"node-{i}", "nebula", PropertyMap.Of(
            ("name", $"node-{i}"), ("ip", $"10.42.0.{i + 1}/16"), ("groups", PropertyValue.Array("scylla")), ("duration", "10d"),
            ("renewBefore", "2d"), ("caCert", ca.Output("cert")), ("caKey", ca.Output("key"))))).ToList();
        var blocklist = graph.Resource(NebulaBlocklistProvider.Type, "blocklist", "nebula", PropertyMap.Of(
            ("active", PropertyValue.Array(certs.Select(c => (PropertyValue)PropertyMap.Of(("fingerprint", c.Output("fingerprint")), ("notAfter", c.Output("notAfter"))))))));
        graph.Export("blocklist", blocklist.Output("fingerprints"));
        foreach (var c in certs) graph.Export(c.Name, c.Output("fingerprint"));
        return graph;
    }

    [NebulaCertFact]
    public async Task RemovingANode_PutsItsCertificateOnTheBlocklist_AndKeysStayEncryptedInState()
    {
        var dir = Directory.CreateTempSubdirectory("sa-pki-engine-");
        try
        {
            var engine = new DeploymentEngine(new ProviderRegistry().Add("nebula", new NebulaProvider()));
            using var store = StateStore.Open(dir.FullName, PassphraseCipher.Open(dir.FullName, "test passphrase", iterations: 1000));
            var first = await engine.UpAsync(Graph(3), store);
            Assert.True(first.Succeeded, string.Join("; ", first.Outcomes.Select(o => o.Error)));
            var removed = first.Outputs.GetString("node-2")!;
            Assert.Empty(first.Outputs["blocklist"].AsArray!.Value);

            var again = await engine.UpAsync(Graph(3), store);
            Assert.All(again.Outcomes, o => Assert.Equal(StepKind.Same, o.Step.Kind));

            var second = await engine.UpAsync(Graph(2), store);
            Assert.True(second.Succeeded, string.Join("; ", second.Outcomes.Select(o => o.Error)));
            Assert.Equal([removed], second.Outputs["blocklist"].AsArray!.Value.Select(v => v.AsString));
            Assert.Equal(first.Outputs.GetString("node-0"), second.Outputs.GetString("node-0"));

            foreach (var file in Directory.EnumerateFiles(dir.FullName, "*", SearchOption.AllDirectories))
                Assert.DoesNotContain("PRIVATE KEY", File.ReadAllText(file));
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
