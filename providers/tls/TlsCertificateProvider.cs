using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Common;

namespace ScyllaApocryph.Providers.Tls;

/// <summary>
/// <c>tls:index:Certificate</c>: a node or client certificate signed by the cluster's TLS CA.
/// Inputs: commonName, usage (node | client, default node), dnsNames, ipAddresses (every address a peer or client
/// may dial), duration (default 365d), renewBefore (default 30d), algorithm, caCert, caKey (references; kept secret).
/// Outputs: cert, key (secret), fingerprint, publicKey (hex DER SubjectPublicKeyInfo), caFingerprint, notBefore, notAfter.
/// Replaced when anything it was signed from changes (so a CA rotation reissues it) or inside its renewal window,
/// unless it already ends with its CA (it was capped there): then the plan notes that the CA needs rotating instead.
/// </summary>
public sealed class TlsCertificateProvider(TimeProvider clock) : IResourceProvider
{
    public const string Type = ResourceTypes.TlsCertificate;

    private static readonly string[] SignedFrom = ["commonName", "usage", "dnsNames", "ipAddresses", "duration", "algorithm", "caCert", "caKey"];

    public TlsCertificateProvider() : this(TimeProvider.System)
    {
    }

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var inputs = new ProviderInputs(request.News);
        inputs.RequireString("commonName");
        var usage = inputs.OptionalString("usage");
        if (usage is not (null or "node" or "client")) inputs.Fail("usage", "must be 'node' or 'client'");
        else if (usage is null && !inputs.IsUnknown("usage")) inputs = With(inputs, "usage", "node");
        var dns = inputs.StringList("dnsNames");
        foreach (var name in dns ?? [])
            if (Uri.CheckHostName(name) != UriHostNameType.Dns) inputs.Fail("dnsNames", $"'{name}' is not a DNS name");
        var ips = inputs.StringList("ipAddresses");
        foreach (var ip in ips ?? [])
            if (!IPAddress.TryParse(ip, out _)) inputs.Fail("ipAddresses", $"'{ip}' is not an IP address");
        if (usage != "client" && dns is { Count: 0 } && ips is { Count: 0 })
            inputs.Fail("dnsNames", "a node certificate needs at least one DNS name or IP address peers can verify");
        if (!TlsKeyAlgorithms.TryParse(inputs.OptionalString("algorithm"), out _))
            inputs.Fail("algorithm", "must be ecdsa-p256, ecdsa-p384 or rsa-3072");
        var duration = inputs.Duration("duration", Defaults.Pki.CertDuration);
        var renewBefore = inputs.Duration("renewBefore", Defaults.Pki.RenewBefore);
        if (duration is { } d && renewBefore is { } r && r >= d)
            inputs.Fail("renewBefore", "must be shorter than duration, or every plan would reissue the certificate");
        inputs.RequireString("caCert");
        inputs.RequireString("caKey");
        var map = inputs.Map;
        if (map.Get("caKey") is { } key and not SecretValue && !key.ContainsUnknowns) map = map.With("caKey", PropertyValue.Secret(key));
        return Task.FromResult(new CheckResult(map, inputs.Failures));
    }

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        var diff = DiffResult.ByInputs(request.OldInputs, request.NewInputs, SignedFrom);
        return Task.FromResult(RenewalWindow.Apply(diff, request.OldOutputs, request.NewInputs, clock.GetUtcNow(), () => CaNotAfter(request.NewInputs)));
    }

    public Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken)
    {
        var i = request.Inputs;
        var ca = new TlsKeyPair(Required(i, "caCert"), Required(i, "caKey"));
        TlsKeyAlgorithms.TryParse(i.GetString("algorithm"), out var algorithm);
        var leaf = new TlsCertificateRequest(
            Required(i, "commonName"),
            i.GetString("usage") == "client" ? TlsCertificateUsage.Client : TlsCertificateUsage.Node,
            Strings(i, "dnsNames"),
            Strings(i, "ipAddresses"),
            StackDuration.Parse(i.GetString("duration") ?? Defaults.Pki.CertDuration),
            algorithm);
        var pair = TlsIssuer.Issue(ca, leaf, clock.GetUtcNow());
        var outputs = TlsCertificateAuthorityProvider.Outputs(pair).With("caFingerprint", TlsIssuer.Fingerprint(ca.CertificatePem));
        return Task.FromResult(new CreateResult(outputs.GetString("fingerprint")!, outputs));
    }

    public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(request.Outputs.GetString("cert") is null ? null : new ReadResult(request.Id, request.Outputs));

    /// <summary>Only renewBefore updates in place.</summary>
    public Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new UpdateResult(request.OldOutputs));

    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Create only computes: an interrupted one left nothing outside the state.</summary>
    public Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken) => Task.FromResult(FindResult.Absent);

    /// <summary>The CA's notAfter from the caCert input; null while it is unknown or unreadable (then renewal goes by the leaf alone).</summary>
    private static DateTimeOffset? CaNotAfter(PropertyMap inputs)
    {
        if (inputs.Get("caCert")?.AsString is not { } pem) return null;
        try
        {
            using var ca = X509Certificate2.CreateFromPem(pem);
            return new DateTimeOffset(ca.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static ProviderInputs With(ProviderInputs inputs, string key, string value)
    {
        var next = new ProviderInputs(inputs.Map.With(key, value));
        foreach (var f in inputs.Failures) next.Fail(f.Property, f.Reason);
        return next;
    }

    private static string Required(PropertyMap inputs, string key) =>
        inputs.Get(key)?.AsString ?? throw new ArgumentException($"input '{key}' is missing");

    private static List<string> Strings(PropertyMap inputs, string key) =>
        inputs.Get(key)?.AsArray?.Select(v => v.AsString!).ToList() ?? [];
}
