namespace ScyllaApocryph.Providers.Tls;

public enum TlsCertificateUsage
{
    /// <summary>A Scylla node: serves and dials internode links (server and client auth), serves CQL.</summary>
    Node,

    /// <summary>An application or operator connecting to CQL with a client certificate.</summary>
    Client,
}
