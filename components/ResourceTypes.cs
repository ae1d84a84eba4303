namespace ScyllaApocryph.Components;

/// <summary>
/// The type token of every resource the components declare, in Pulumi's package:module:Type form, defined once.
/// The components name them when they build the graph; each provider's <c>Type</c> constant is the same value, so a
/// token can never be spelt differently on the two sides (the components cannot see the providers' assembly).
/// </summary>
public static class ResourceTypes
{
    public const string Cluster = "scylla:index:Cluster";
    public const string Datacenter = "scylla:index:Datacenter";
    public const string Node = "scylla:index:Node";
    public const string Membership = "scylla:index:Membership";
    public const string File = "render:index:File";
    public const string Password = "random:index:Password";
    public const string ApocryphPod = "apocryph:index:Pod";
    public const string AutoscalerRegistration = "autoscaler:index:Registration";
    public const string MembershipProof = "wallet:index:MembershipProof";
    public const string TlsCertificateAuthority = "tls:index:CertificateAuthority";
    public const string TlsCertificate = "tls:index:Certificate";
    public const string NebulaCertificateAuthority = "nebula:index:CertificateAuthority";
    public const string NebulaCertificate = "nebula:index:Certificate";
    public const string NebulaBlocklist = "nebula:index:Blocklist";
}
