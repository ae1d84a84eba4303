using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Providers.Kubernetes;
using ScyllaApocryph.Providers.Nebula;
using ScyllaApocryph.Providers.Random;
using ScyllaApocryph.Providers.Render;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Providers.Tls;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Plugin;

/// <param name="Type">string, integer, number, boolean, array or object.</param>
/// <param name="Required">For an input: must be given. For a component's output: always present (a custom
/// resource's outputs always are).</param>
/// <param name="Items">For arrays, the item type; for objects, the type of each value (null: any).</param>
public sealed record PropertySpec(string Name, string Type, string Description, bool Secret = false, bool Required = false, string? Items = null);

/// <param name="EngineType">The engine's type token (the plugin's is derived from it).</param>
public sealed record ResourceSpec(string EngineType, string Description, IReadOnlyList<PropertySpec> Inputs, IReadOnlyList<PropertySpec> Outputs, bool IsComponent = false);

/// <summary>
/// Every resource type the plugin serves, with the inputs its provider checks and the outputs it returns. The schema
/// is made from this, and a preview answers these outputs as unknown.
/// </summary>
public static class ResourceCatalog
{
    private static PropertySpec S(string name, string description, bool secret = false, bool required = false) => new(name, "string", description, secret, required);

    private static readonly PropertySpec[] CertificateOutputs =
    [
        S("cert", "the certificate, PEM"), S("key", "the private key, PEM", secret: true), S("fingerprint", "the certificate's fingerprint"),
        S("notBefore", "start of validity, ISO 8601"), S("notAfter", "end of validity, ISO 8601"),
    ];

    private static readonly PropertySpec[] Validity =
    [
        S("duration", "validity such as 365d (d, h, m or s)"), S("renewBefore", "reissue this long before expiry (default 30d)"),
    ];

    private static ResourceSpec Kubernetes(string apiVersion, string kind) => new(
        KubernetesProvider.TypeFor(apiVersion, kind),
        $"A Kubernetes {kind} ({apiVersion}), applied with server-side apply (field manager scylla-apocryph).",
        [
            S("kind", "the object's kind", required: true), S("name", "the object's name", required: true), S("namespace", "its namespace, if namespaced"),
            S("manifest", "the object as JSON, applied as is (secret for a Secret)", required: true),
        ],
        [S("uid", "the object's uid"), S("live", "JSON: the live values of the fields this program applies (secret for a Secret)"),
         S("takenBy", "managers that took fields of the manifest"),
         new("createdByStack", "boolean", "Namespace: whether this stack created it (destroy deletes only such a namespace)")]);

    public static readonly IReadOnlyList<ResourceSpec> Resources =
    [
        new(ResourceTypes.Cluster,
            "One ScyllaDB cluster across several hosting providers: the component the program declares, with the same configuration as the stack file (scylla-apocryph:cluster, :providers and :compose).",
            [
                new("cluster", "object", "the cluster, as under scylla-apocryph:cluster in a stack file", Required: true),
                new("providers", "object", "the hosting providers, as under scylla-apocryph:providers", Required: true),
                new("compose", "object", "where the one-host trial goes, as under scylla-apocryph:compose"),
            ],
            [
                S("clusterName", "the cluster's name", required: true), S("superuserName", "the superuser's name", required: true),
                S("superuserPassword", "the generated superuser password", secret: true, required: true),
                new("nodes", "array", "every node slot: name, datacenter, rack, address, provider", Required: true),
                S("caCertificate", "tls mode: the cluster CA certificate"), S("clientCertificate", "tls mode: the application's client certificate"),
                S("clientKey", "tls mode: the application's client key", secret: true),
                S("nebulaCaCertificate", "with membership: the Nebula CA certificate"),
                S("operatorNebulaCertificate", "with membership: the operator's Nebula certificate"),
                S("operatorNebulaKey", "with membership: the operator's Nebula key", secret: true),
                new("membership", "array", "with membership: every node's slot, host ID, status and datacenter"),
            ],
            IsComponent: true),
        new(RandomPasswordProvider.PasswordType, "A generated password, kept only as a secret.",
            [new("length", "integer", "number of characters (default 32)")],
            [S("result", "the password", secret: true), S("sha512crypt", "its SHA-512 crypt hash", secret: true)]),
        new(RenderProvider.FileType, "A file under the provider's directory (a provider of kind render); secret content is written with mode 0600.",
            [S("path", "relative path, no '..'", required: true), S("content", "the file's content", required: true), S("mode", "octal file mode such as 0644")],
            [S("root", "the provider's directory"), S("path", "the relative path"), S("sha256", "SHA-256 of the content (secret if the content is)"), new("bytes", "integer", "the file's length"),
             S("mode", "the file's mode on disk, octal (symlink if the path is a link)"), new("owner", "integer", "the uid owning the file")]),
        new(TlsCertificateAuthorityProvider.Type, "A TLS certificate authority (ECDSA P-256 by default).",
            [S("commonName", "subject common name", required: true), S("duration", "validity (default 3650d)"), S("algorithm", "ecdsa-p256, ecdsa-p384 or rsa-3072"),
             new("rotation", "integer", "raise by one to issue a new CA")],
            [.. CertificateOutputs, S("publicKey", "the subject public key info, hex")]),
        new(TlsCertificateProvider.Type, "A TLS certificate signed by a certificate authority.",
            [S("commonName", "subject common name", required: true), S("usage", "node or client (default node)"),
             new("dnsNames", "array", "DNS subject alternative names", Items: "string"), new("ipAddresses", "array", "IP subject alternative names", Items: "string"),
             S("algorithm", "ecdsa-p256, ecdsa-p384 or rsa-3072"), .. Validity,
             S("caCert", "the issuer's certificate, PEM", required: true), S("caKey", "the issuer's private key, PEM", secret: true, required: true)],
            [.. CertificateOutputs, S("publicKey", "the subject public key info, hex"), S("caFingerprint", "the issuer's fingerprint")]),
        new(NebulaCertificateAuthorityProvider.Type, "A Nebula overlay CA, issued by nebula-cert.",
            [S("name", "the CA's name", required: true), S("duration", "validity (default 3650d)"), new("rotation", "integer", "raise by one to issue a new CA")],
            CertificateOutputs),
        new(NebulaCertificateProvider.Type, "A Nebula host certificate with a fixed overlay IP and groups, issued by nebula-cert.",
            [S("name", "the host's name", required: true), S("ip", "overlay address with prefix, e.g. 10.42.0.1/16", required: true),
             new("groups", "array", "firewall groups", Items: "string"), .. Validity,
             S("caCert", "the CA certificate, PEM", required: true), S("caKey", "the CA key, PEM", secret: true, required: true)],
            [.. CertificateOutputs, S("publicKey", "the host's public key"), S("caFingerprint", "the issuer's fingerprint")]),
        new(NebulaBlocklistProvider.Type, "Remembers every Nebula certificate that left the stack until it expires.",
            [new("active", "array", "the certificates in use: {fingerprint, notAfter}"), new("manual", "array", "fingerprints to block as well", Items: "string")],
            [new("fingerprints", "array", "every blocked fingerprint", Items: "string"), new("retired", "array", "certificates that left the stack: {fingerprint, notAfter}")]),
        new(MembershipProofProvider.Type, "The application's wallet signature over a node certificate's public key.",
            [S("cluster", "the cluster name", required: true), S("kind", "tls or nebula", required: true), S("publicKey", "the certified public key", required: true),
             S("keyEnv", "environment variable holding the wallet key"), S("keyFile", "file holding the wallet key"), S("address", "the expected wallet address")],
            [S("signature", "the signature, hex"), S("signer", "the signing address"), S("message", "the signed claim")]),
        new(RegistrationProvider.Type, "Registers the cluster with the Apocryph Autoscaler (ConnectCluster).",
            [S("endpoint", "the autoscaler's URL", required: true), S("nodeGateway", "the node gateway name", required: true),
             new("servers", "array", "autoscaler instances, http://<IPv4>:<port>", Required: true, Items: "string"), new("timeoutSeconds", "integer", "ConnectCluster timeout")],
            [new("connected", "boolean", "true once registered"), new("servers", "array", "the servers registered", Items: "string")]),
        new(MembershipProvider.Type, "Reconciles live ScyllaDB membership on every up (a provider of kind membership).",
            [new("slots", "array", "the stack's node slots: {slot, datacenter, ordinal, address, zeroToken}", Required: true),
             new("replicationFactors", "object", "replication factor per datacenter", Required: true, Items: "integer"),
             new("failureDetectorTimeoutMs", "integer", "ScyllaDB's failure detector timeout")],
            [new("converged", "boolean", "true when nothing is left to do"), new("nodes", "array", "every node: {slot, address, hostId, status, datacenter}"),
             new("actions", "array", "the actions taken or planned", Items: "string"), new("disagreements", "array", "observers that disagree", Items: "string")]),
        Kubernetes("v1", "Namespace"),
        Kubernetes("v1", "Service"),
        Kubernetes("v1", "ConfigMap"),
        Kubernetes("v1", "Secret"),
        Kubernetes("apps/v1", "StatefulSet"),
        Kubernetes("policy/v1", "PodDisruptionBudget"),
    ];

    private static readonly Dictionary<string, ResourceSpec> ByType = Resources.ToDictionary(r => r.EngineType);

    public static ResourceSpec? Find(string engineType) => ByType.GetValueOrDefault(engineType);
}
