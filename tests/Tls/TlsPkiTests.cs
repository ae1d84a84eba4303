using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Tls;

namespace ScyllaApocryph.Tests.Tls;

public sealed class TlsPkiTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);

    private static TlsKeyPair Node(TlsKeyPair ca, string name, params string[] addresses) =>
        TlsIssuer.Issue(ca, new TlsCertificateRequest(name, TlsCertificateUsage.Node,
            [.. addresses.Where(a => !char.IsDigit(a[0]))], [.. addresses.Where(a => char.IsDigit(a[0]))], TimeSpan.FromDays(30)), DateTimeOffset.UtcNow);

    [Fact]
    public async Task NodeCertificatesFromTheClusterCa_CompleteMutualTls()
    {
        var ca = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), DateTimeOffset.UtcNow);
        var server = Node(ca, "node-0", "node-0.scylla.local", "127.0.0.1");
        var client = Node(ca, "node-1", "node-1.scylla.local", "127.0.0.2");
        var outcome = await MutualTls.HandshakeAsync(ca, server, client, "node-0.scylla.local");
        Assert.True(outcome.Completed, $"server: {outcome.ServerError?.Message} client: {outcome.ClientError?.Message}");
    }

    [Fact]
    public async Task ClientCertificateFromAnotherCa_IsRejectedByTheServer()
    {
        var ca = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), DateTimeOffset.UtcNow);
        var other = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), DateTimeOffset.UtcNow); // same name, other key
        var server = Node(ca, "node-0", "node-0.scylla.local");
        var intruder = Node(other, "node-1", "node-1.scylla.local");
        var outcome = await MutualTls.HandshakeAsync(ca, server, intruder, "node-0.scylla.local");
        Assert.False(outcome.ServerAccepted);
        Assert.NotNull(outcome.ServerError);
    }

    [Fact]
    public async Task ServerCertificateFromAnotherCa_IsRejectedByTheClient()
    {
        var ca = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), DateTimeOffset.UtcNow);
        var other = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), DateTimeOffset.UtcNow);
        var outcome = await MutualTls.HandshakeAsync(ca, Node(other, "node-0", "node-0.scylla.local"), Node(ca, "node-1", "node-1.scylla.local"), "node-0.scylla.local");
        Assert.False(outcome.ClientAccepted);
        Assert.NotNull(outcome.ClientError);
    }

    [Fact]
    public async Task AddressNotInTheSans_IsRejected()
    {
        var ca = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), DateTimeOffset.UtcNow);
        var outcome = await MutualTls.HandshakeAsync(ca, Node(ca, "node-0", "node-0.scylla.local"), Node(ca, "node-1", "node-1.scylla.local"), "elsewhere.example");
        Assert.False(outcome.Completed);
    }

    [Fact]
    public void NodeCertificate_HasSansBothUsagesAndEcdsaP256_ClientCertificateOnlyClientAuth()
    {
        var ca = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), Now);
        using var node = X509Certificate2.CreateFromPem(TlsIssuer.Issue(ca, new TlsCertificateRequest("n0", TlsCertificateUsage.Node,
            ["n0.dc1.example"], ["10.42.0.1", "203.0.113.7"], TimeSpan.FromDays(90)), Now).CertificatePem);
        var san = node.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["n0.dc1.example"], san.EnumerateDnsNames());
        Assert.Equal(["10.42.0.1", "203.0.113.7"], san.EnumerateIPAddresses().Select(i => i.ToString()));
        var eku = node.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], eku);
        Assert.Equal("ECC", node.PublicKey.Oid.FriendlyName);
        Assert.Equal(256, node.GetECDsaPublicKey()!.KeySize);
        Assert.False(node.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);

        using var client = X509Certificate2.CreateFromPem(TlsIssuer.Issue(ca, new TlsCertificateRequest("app", TlsCertificateUsage.Client,
            [], [], TimeSpan.FromDays(90)), Now).CertificatePem);
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], client.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
    }

    [Fact]
    public void Leaf_NeverOutlivesItsCa()
    {
        var ca = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(10), Now);
        using var leaf = X509Certificate2.CreateFromPem(TlsIssuer.Issue(ca, new TlsCertificateRequest("n", TlsCertificateUsage.Node, ["n"], [], TimeSpan.FromDays(365)), Now).CertificatePem);
        using var caCert = X509Certificate2.CreateFromPem(ca.CertificatePem);
        Assert.True(leaf.NotAfter <= caCert.NotAfter);
    }

    [Fact]
    public async Task Renewal_LeavesALeafThatAlreadyEndsWithItsCa_AndNotesThatTheCaNeedsRotating()
    {
        var clock = new FakeTimeProvider(Now);
        var caProvider = new TlsCertificateAuthorityProvider(clock);
        var certProvider = new TlsCertificateProvider(clock);
        var urn = Urn.Create("t", "p", null, TlsCertificateProvider.Type, "n0");
        var ca = (await caProvider.CreateAsync(new CreateRequest(urn, TlsCertificateAuthorityProvider.Type,
            PropertyMap.Of(("commonName", "cluster"), ("duration", "100d"))), default)).Outputs;
        var inputs = (await certProvider.CheckAsync(new CheckRequest(urn, TlsCertificateProvider.Type, PropertyMap.Empty, PropertyMap.Of(
            ("commonName", "n0"), ("dnsNames", PropertyValue.Array("n0.example")), ("duration", "365d"), ("caCert", ca["cert"]), ("caKey", ca["key"]))), default)).Inputs;
        var cert = (await certProvider.CreateAsync(new CreateRequest(urn, TlsCertificateProvider.Type, inputs), default)).Outputs;
        Assert.Equal(ca.GetString("notAfter"), cert.GetString("notAfter")); // capped at the CA

        clock.Advance(TimeSpan.FromDays(80)); // 20 days before both end: inside the 30-day window
        var diff = await certProvider.DiffAsync(new DiffRequest(urn, TlsCertificateProvider.Type, "id", inputs, cert, inputs), default);

        Assert.False(diff.Changes);
        Assert.Empty(diff.ReplaceKeys);
        Assert.Contains(diff.Notes!, n => n.Contains("together with its CA") && n.Contains("rotation"));
    }

    [Fact]
    public async Task Providers_KeepKeysSecret_AndReplaceInsideTheRenewalWindowOrAfterCaRotation()
    {
        var clock = new FakeTimeProvider(Now);
        var caProvider = new TlsCertificateAuthorityProvider(clock);
        var certProvider = new TlsCertificateProvider(clock);
        var caUrn = Urn.Create("t", "p", null, TlsCertificateAuthorityProvider.Type, "ca");
        var urn = Urn.Create("t", "p", null, TlsCertificateProvider.Type, "n0");
        var caCheck = await caProvider.CheckAsync(new CheckRequest(caUrn, TlsCertificateAuthorityProvider.Type, PropertyMap.Empty, PropertyMap.Of(("commonName", "cluster"))), default);
        Assert.Empty(caCheck.Failures);
        var ca = (await caProvider.CreateAsync(new CreateRequest(caUrn, TlsCertificateAuthorityProvider.Type, caCheck.Inputs), default)).Outputs;
        Assert.IsType<SecretValue>(ca["key"]);

        var inputs = PropertyMap.Of(("commonName", "n0"), ("dnsNames", PropertyValue.Array("n0.example")), ("duration", "90d"),
            ("caCert", ca["cert"]), ("caKey", ca["key"].Reveal()));
        var check = await certProvider.CheckAsync(new CheckRequest(urn, TlsCertificateProvider.Type, PropertyMap.Empty, inputs), default);
        Assert.Empty(check.Failures);
        Assert.IsType<SecretValue>(check.Inputs["caKey"]); // a plain CA key input is stored encrypted
        Assert.Equal("30d", check.Inputs.GetString("renewBefore"));
        var cert = (await certProvider.CreateAsync(new CreateRequest(urn, TlsCertificateProvider.Type, check.Inputs), default)).Outputs;
        Assert.IsType<SecretValue>(cert["key"]);
        Assert.Equal(ca.GetString("fingerprint"), cert.GetString("caFingerprint"));

        Task<DiffResult> Diff(PropertyMap news) => certProvider.DiffAsync(new DiffRequest(urn, TlsCertificateProvider.Type, "id", check.Inputs, cert, news), default);
        Assert.False((await Diff(check.Inputs)).Changes);
        clock.Advance(TimeSpan.FromDays(59));
        Assert.False((await Diff(check.Inputs)).Changes);
        clock.Advance(TimeSpan.FromDays(2)); // 61 days in: inside the last 30 of 90 (the leaf started 5 minutes early)
        var due = await Diff(check.Inputs);
        Assert.Equal(["notAfter"], due.ReplaceKeys);

        var rotated = (await caProvider.CreateAsync(new CreateRequest(caUrn, TlsCertificateAuthorityProvider.Type, caCheck.Inputs.With("rotation", 1)), default)).Outputs;
        var afterRotation = await certProvider.DiffAsync(new DiffRequest(urn, TlsCertificateProvider.Type, "id", check.Inputs, cert,
            check.Inputs.With("caCert", rotated["cert"]).With("caKey", rotated["key"])), default);
        Assert.Contains("caCert", afterRotation.ReplaceKeys);
    }

    [Fact]
    public async Task CaCheck_RefusesAnAccidentalRotation_AndAcceptsADeliberateOne()
    {
        var provider = new TlsCertificateAuthorityProvider(TimeProvider.System);
        var urn = Urn.Create("t", "p", null, TlsCertificateAuthorityProvider.Type, "ca");
        var olds = PropertyMap.Of(("commonName", "cluster"), ("duration", "3650d"), ("rotation", 0));
        var edited = olds.With("commonName", "renamed");
        var refused = await provider.CheckAsync(new CheckRequest(urn, TlsCertificateAuthorityProvider.Type, olds, edited), default);
        Assert.Contains(refused.Failures, f => f.Property == "commonName" && f.Reason.Contains("rotation"));
        var deliberate = await provider.CheckAsync(new CheckRequest(urn, TlsCertificateAuthorityProvider.Type, olds, edited.With("rotation", 1)), default);
        Assert.Empty(deliberate.Failures);
        var diff = await provider.DiffAsync(new DiffRequest(urn, TlsCertificateAuthorityProvider.Type, "id", olds, PropertyMap.Empty, deliberate.Inputs), default);
        Assert.Contains("rotation", diff.ReplaceKeys);
    }

    [Fact]
    public void EcdsaKey_IsPkcs8Pem_ThatLoadsBack()
    {
        var ca = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(1), Now);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", ca.PrivateKeyPem);
        using var key = ECDsa.Create();
        key.ImportFromPem(ca.PrivateKeyPem);
        Assert.DoesNotContain("PRIVATE", ca.ToString());
    }
}
