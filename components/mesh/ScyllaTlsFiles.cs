namespace ScyllaApocryph.Components.Mesh;

/// <summary>Where a node's TLS material lives inside the container (one directory, mounted from a Secret).</summary>
/// <param name="Certificate">The node certificate (PEM).</param>
/// <param name="Key">The node key (PEM, mode 0600) — the only secret file.</param>
/// <param name="Truststore">The cluster CA certificate (PEM): the only issuer peers and clients are accepted from.</param>
public sealed record ScyllaTlsFiles(string Directory, string Certificate, string Key, string Truststore)
{
    public const string DefaultDirectory = "/etc/scylla/tls";

    public static ScyllaTlsFiles In(string directory = DefaultDirectory)
    {
        var dir = directory.TrimEnd('/');
        return new ScyllaTlsFiles(dir, dir + "/node.crt", dir + "/node.key", dir + "/ca.crt");
    }

    /// <summary>File name (relative to <see cref="Directory"/>) to content-key pairs, for a Secret or a render directory.</summary>
    public IReadOnlyList<(string FileName, string Source, bool Secret)> Entries =>
    [
        (Path.GetFileName(Certificate), "cert", false),
        (Path.GetFileName(Key), "key", true),
        (Path.GetFileName(Truststore), "caCert", false),
    ];
}
