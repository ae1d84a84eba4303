using ScyllaApocryph.Components.Mesh;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Tests.Tls;

public sealed class ScyllaTlsSettingsTests
{
    [Fact]
    public void ScyllaYaml_EncryptsAllInternode_RequiresClientCertificates_AndTrustsOnlyTheClusterCa()
    {
        var files = ScyllaTlsFiles.In("/etc/scylla/tls/");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(ScyllaTlsSettings.ScyllaYamlText(files)));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var server = (YamlMappingNode)root["server_encryption_options"];
        Assert.Equal("all", server["internode_encryption"].ToString());
        Assert.Equal("true", server["require_client_auth"].ToString());
        Assert.Equal("/etc/scylla/tls/ca.crt", server["truststore"].ToString());
        Assert.Equal("/etc/scylla/tls/node.key", server["keyfile"].ToString());
        var client = (YamlMappingNode)root["client_encryption_options"];
        Assert.Equal("true", client["enabled"].ToString());
        Assert.Equal("true", client["require_client_auth"].ToString());
        // Encrypted on the CQL ports themselves: no separate TLS port, so no plaintext CQL listener beside it.
        Assert.Equal("9142", root["native_transport_port"].ToString());
        Assert.Equal("19142", root["native_shard_aware_transport_port"].ToString());
        Assert.False(root.Children.ContainsKey("native_transport_port_ssl"));
        Assert.False(root.Children.ContainsKey("native_shard_aware_transport_port_ssl"));
        Assert.Equal([("node.crt", false), ("node.key", true), ("ca.crt", false)], files.Entries.Select(e => (e.FileName, e.Secret)));
    }

    [Fact]
    public void SubjectAlternativeNames_SplitDnsFromIps_Deduplicated_AndSorted()
    {
        var (dns, ips) = ScyllaTlsSettings.SubjectAlternativeNames(["B.example", "10.0.0.2", "b.example", "", "10.0.0.1", "10.0.0.2", "a.example"]);
        Assert.Equal(["a.example", "b.example"], dns);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], ips);
    }
}
