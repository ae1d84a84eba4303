using YamlDotNet.Serialization;

namespace ScyllaApocryph.Components.Mesh;

/// <summary>
/// The scylla.yaml settings for TLS mode: internode TLS on every link with client-certificate checks against the
/// cluster CA, and CQL over TLS only. With client encryption on and no <c>native_transport_port_ssl</c>, ScyllaDB
/// encrypts the native transport port itself; naming a separate TLS port would keep a plaintext CQL listener open
/// beside it. So the CQL ports are simply moved to the TLS numbers (9142/19142) and there is no plaintext CQL at all.
/// </summary>
public static class ScyllaTlsSettings
{

    private static readonly ISerializer Yaml = new SerializerBuilder().DisableAliases().Build();

    /// <param name="requireClientCertificateForCql">Applications must present a certificate from the cluster CA.</param>
    /// <param name="cqlTlsPort">The CQL TLS port (on Apocryph a NodePort, the same on every node).</param>
    /// <param name="cqlShardAwareTlsPort">The shard-aware CQL TLS port (likewise).</param>
    public static Dictionary<string, object> ScyllaYaml(ScyllaTlsFiles files, bool requireClientCertificateForCql = true,
        int cqlTlsPort = Defaults.Ports.CqlTls, int cqlShardAwareTlsPort = Defaults.Ports.CqlShardAwareTls) => new()
    {
        ["server_encryption_options"] = new Dictionary<string, object>
        {
            ["internode_encryption"] = "all",
            ["certificate"] = files.Certificate,
            ["keyfile"] = files.Key,
            ["truststore"] = files.Truststore,
            ["require_client_auth"] = true,
        },
        ["client_encryption_options"] = new Dictionary<string, object>
        {
            ["enabled"] = true,
            ["certificate"] = files.Certificate,
            ["keyfile"] = files.Key,
            ["truststore"] = files.Truststore,
            ["require_client_auth"] = requireClientCertificateForCql,
        },
        ["native_transport_port"] = cqlTlsPort,
        ["native_shard_aware_transport_port"] = cqlShardAwareTlsPort,
    };

    /// <summary>The same settings as a scylla.yaml fragment, for a renderer that writes text.</summary>
    public static string ScyllaYamlText(ScyllaTlsFiles files, bool requireClientCertificateForCql = true) =>
        Yaml.Serialize(ScyllaYaml(files, requireClientCertificateForCql));

    /// <summary>
    /// Addresses a node certificate must name: every address a peer or client may dial. Empty and duplicate
    /// entries are dropped; the result is sorted so the certificate inputs (and so the plan) are stable.
    /// </summary>
    public static (IReadOnlyList<string> DnsNames, IReadOnlyList<string> IpAddresses) SubjectAlternativeNames(IEnumerable<string> addresses)
    {
        var dns = new SortedSet<string>(StringComparer.Ordinal);
        var ips = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var a in addresses.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()))
        {
            if (System.Net.IPAddress.TryParse(a, out var ip)) ips.Add(ip.ToString());
            else dns.Add(a.ToLowerInvariant());
        }
        return ([.. dns], [.. ips]);
    }
}
