using Microsoft.Extensions.Time.Testing;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Common;
using ScyllaApocryph.Providers.Nebula;
using ScyllaApocryph.Tests.Pki;

namespace ScyllaApocryph.Tests.Nebula;

/// <summary>The Nebula CA and certificate providers against the real nebula-cert.</summary>
public sealed class NebulaPkiProviderTests
{
    private static readonly Urn CaUrn = Urn.Create("t", "p", null, NebulaCertificateAuthorityProvider.Type, "ca");
    private static readonly Urn CertUrn = Urn.Create("t", "p", null, NebulaCertificateProvider.Type, "n0");

    private static async Task<PropertyMap> Ca(NebulaCertificateAuthorityProvider provider, PropertyMap? inputs = null)
    {
        var check = await provider.CheckAsync(new CheckRequest(CaUrn, NebulaCertificateAuthorityProvider.Type, PropertyMap.Empty,
            inputs ?? PropertyMap.Of(("name", "cluster-ca"), ("duration", "100d"))), default);
        Assert.Empty(check.Failures);
        return (await provider.CreateAsync(new CreateRequest(CaUrn, NebulaCertificateAuthorityProvider.Type, check.Inputs), default)).Outputs;
    }

    private static PropertyMap CertInputs(PropertyMap ca) => PropertyMap.Of(
        ("name", "n0"), ("ip", "10.42.0.1/16"), ("groups", PropertyValue.Array("scylla", "dc1", "lighthouse")),
        ("duration", "60d"), ("caCert", ca["cert"]), ("caKey", ca["key"]));

    [NebulaCertFact]
    public async Task Certificate_CarriesNameIpGroups_IsSignedByTheCa_AndItsKeyIsSecret()
    {
        var tool = new NebulaCertTool();
        var ca = await Ca(new NebulaCertificateAuthorityProvider());
        Assert.IsType<SecretValue>(ca["key"]);
        Assert.Contains("NEBULA ED25519 PRIVATE KEY", ca["key"].Reveal().AsString);

        var provider = new NebulaCertificateProvider();
        var check = await provider.CheckAsync(new CheckRequest(CertUrn, NebulaCertificateProvider.Type, PropertyMap.Empty, CertInputs(ca)), default);
        Assert.Empty(check.Failures);
        var created = await provider.CreateAsync(new CreateRequest(CertUrn, NebulaCertificateProvider.Type, check.Inputs), default);
        var outputs = created.Outputs;
        Assert.IsType<SecretValue>(outputs["key"]);
        Assert.Equal(created.Id, outputs.GetString("fingerprint"));

        var info = tool.Print(outputs.GetString("cert")!);
        Assert.Equal("n0", info.Name);
        Assert.Equal(["10.42.0.1/16"], info.Ips);
        Assert.Equal(["scylla", "dc1", "lighthouse"], info.Groups);
        Assert.Equal(ca.GetString("fingerprint"), info.Issuer);
        Assert.Equal(info.PublicKey, outputs.GetString("publicKey"));
        Assert.InRange((info.NotAfter - DateTimeOffset.UtcNow).TotalDays, 59.9, 60.1);
        Assert.Equal(ProviderInputsIso(info.NotAfter), outputs.GetString("notAfter"));
    }

    [NebulaCertFact]
    public async Task Diff_ReplacesInsideTheRenewalWindow_NotBefore_AndRenewBeforeAloneUpdatesInPlace()
    {
        var ca = await Ca(new NebulaCertificateAuthorityProvider());
        var real = new NebulaCertificateProvider();
        var check = await real.CheckAsync(new CheckRequest(CertUrn, NebulaCertificateProvider.Type, PropertyMap.Empty, CertInputs(ca)), default);
        var outputs = (await real.CreateAsync(new CreateRequest(CertUrn, NebulaCertificateProvider.Type, check.Inputs), default)).Outputs;
        var notAfter = DateTimeOffset.Parse(outputs.GetString("notAfter")!, System.Globalization.CultureInfo.InvariantCulture);

        var clock = new FakeTimeProvider(notAfter - TimeSpan.FromDays(31));
        var provider = new NebulaCertificateProvider(new NebulaCertTool(), clock);
        Task<DiffResult> Diff(PropertyMap news) => provider.DiffAsync(new DiffRequest(CertUrn, NebulaCertificateProvider.Type, "id", check.Inputs, outputs, news), default);

        Assert.False((await Diff(check.Inputs)).Changes);
        clock.Advance(TimeSpan.FromDays(2));
        var due = await Diff(check.Inputs);
        Assert.Equal(["notAfter"], due.ReplaceKeys);
        Assert.Contains(due.Notes!, n => n.Contains("renewal window"));

        clock.SetUtcNow(notAfter - TimeSpan.FromDays(20));
        var later = check.Inputs.With("renewBefore", "10d");
        var inPlace = await Diff(later);
        Assert.True(inPlace.Changes);
        Assert.Empty(inPlace.ReplaceKeys);
    }

    [NebulaCertFact]
    public async Task CaRotation_ReplacesTheCa_AndEveryCertificateSignedByIt()
    {
        var caProvider = new NebulaCertificateAuthorityProvider();
        var caInputs = PropertyMap.Of(("name", "cluster-ca"), ("duration", "100d"), ("rotation", 0));
        var ca = await Ca(caProvider, caInputs);
        var caDiff = await caProvider.DiffAsync(new DiffRequest(CaUrn, NebulaCertificateAuthorityProvider.Type, "id", caInputs, ca, caInputs.With("rotation", 1)), default);
        Assert.Equal(["rotation"], caDiff.ReplaceKeys);

        var next = await Ca(caProvider, caInputs.With("rotation", 1));
        Assert.NotEqual(ca.GetString("fingerprint"), next.GetString("fingerprint"));
        var provider = new NebulaCertificateProvider();
        var olds = CertInputs(ca);
        var diff = await provider.DiffAsync(new DiffRequest(CertUrn, NebulaCertificateProvider.Type, "id", olds, PropertyMap.Empty, CertInputs(next)), default);
        Assert.Contains("caCert", diff.ReplaceKeys);
        // During preview the new CA is not known yet: the certificate still shows as replaced.
        var preview = await provider.DiffAsync(new DiffRequest(CertUrn, NebulaCertificateProvider.Type, "id", olds, PropertyMap.Empty,
            olds.With("caCert", PropertyValue.Unknown).With("caKey", PropertyValue.Unknown)), default);
        Assert.Contains("caCert", preview.ReplaceKeys);
    }

    [Fact]
    public async Task CaCheck_RefusesAnEditThatWouldRotateByAccident()
    {
        var provider = new NebulaCertificateAuthorityProvider(new NebulaCertTool(), TimeProvider.System);
        var olds = PropertyMap.Of(("name", "cluster-ca"), ("duration", "3650d"), ("rotation", 0));
        var check = await provider.CheckAsync(new CheckRequest(CaUrn, NebulaCertificateAuthorityProvider.Type, olds, olds.With("duration", "7300d")), default);
        Assert.Contains(check.Failures, f => f.Property == "duration" && f.Reason.Contains("rotation"));
        var backwards = await provider.CheckAsync(new CheckRequest(CaUrn, NebulaCertificateAuthorityProvider.Type, olds.With("rotation", 2), olds.With("rotation", 1)), default);
        Assert.Contains(backwards.Failures, f => f.Property == "rotation");
    }

    [Fact]
    public async Task CertificateCheck_NamesEachBadInput_AndAcceptsUnknownsDuringPreview()
    {
        var provider = new NebulaCertificateProvider(new NebulaCertTool(), TimeProvider.System);
        var bad = PropertyMap.Of(("name", "n0"), ("ip", "10.42.0.1"), ("groups", PropertyValue.Array("a,b")), ("duration", "1y"),
            ("renewBefore", "30d"), ("caCert", "x"));
        var check = await provider.CheckAsync(new CheckRequest(CertUrn, NebulaCertificateProvider.Type, PropertyMap.Empty, bad), default);
        Assert.Equal(["caKey", "duration", "groups", "ip"], check.Failures.Select(f => f.Property).Order());

        var preview = PropertyMap.Of(("name", "n0"), ("ip", "10.42.0.1/16"), ("caCert", PropertyValue.Unknown), ("caKey", PropertyValue.Unknown));
        Assert.Empty((await provider.CheckAsync(new CheckRequest(CertUrn, NebulaCertificateProvider.Type, PropertyMap.Empty, preview), default)).Failures);
    }

    [NebulaCertFact]
    public async Task NebulaCertFailure_IsReported_WithoutKeyMaterial()
    {
        var ca = await Ca(new NebulaCertificateAuthorityProvider());
        var other = await Ca(new NebulaCertificateAuthorityProvider());
        var provider = new NebulaCertificateProvider();
        // The key of another CA: nebula-cert refuses to sign.
        var inputs = CertInputs(ca).With("caKey", other["key"]);
        var e = await Assert.ThrowsAsync<NebulaCertException>(() => provider.CreateAsync(new CreateRequest(CertUrn, NebulaCertificateProvider.Type, inputs), default));
        foreach (var key in new[] { ca["key"], other["key"] })
            Assert.DoesNotContain(key.Reveal().AsString!.Split('\n')[1], e.Message);
        Assert.Contains("sign", e.Message);
    }

    [NebulaCertFact]
    public async Task Certificate_AskedToOutliveItsCa_EndsJustBeforeTheCa()
    {
        var ca = await Ca(new NebulaCertificateAuthorityProvider());
        var caNotAfter = new NebulaCertTool().Print(ca.GetString("cert")!).NotAfter;
        var provider = new NebulaCertificateProvider();

        var created = await provider.CreateAsync(new CreateRequest(CertUrn, NebulaCertificateProvider.Type, CertInputs(ca).With("duration", "1000d")), default);

        var notAfter = new NebulaCertTool().Print(created.Outputs.GetString("cert")!).NotAfter;
        Assert.InRange(notAfter, caNotAfter - RenewalWindow.CaMargin - TimeSpan.FromMinutes(1), caNotAfter - RenewalWindow.CaMargin);
    }

    [NebulaCertFact]
    public async Task Renewal_LeavesACertificateThatAlreadyEndsWithItsCa_AndNotesThatTheCaNeedsRotating()
    {
        var ca = await Ca(new NebulaCertificateAuthorityProvider());
        var inputs = CertInputs(ca).With("duration", "1000d");
        var cert = (await new NebulaCertificateProvider().CreateAsync(new CreateRequest(CertUrn, NebulaCertificateProvider.Type, inputs), default)).Outputs;
        var caNotAfter = new NebulaCertTool().Print(ca.GetString("cert")!).NotAfter;
        var provider = new NebulaCertificateProvider(new NebulaCertTool(), new FakeTimeProvider(caNotAfter - TimeSpan.FromDays(20)));

        var diff = await provider.DiffAsync(new DiffRequest(CertUrn, NebulaCertificateProvider.Type, "id", inputs, cert, inputs), default);

        Assert.False(diff.Changes);
        Assert.Empty(diff.ReplaceKeys);
        Assert.Contains(diff.Notes!, n => n.Contains("together with its CA") && n.Contains("rotation"));
    }

    [NebulaCertFact]
    public async Task Certificate_IsRefusedWithAClearMessage_WhenItsCaHasExpired()
    {
        var ca = await Ca(new NebulaCertificateAuthorityProvider());
        var caNotAfter = new NebulaCertTool().Print(ca.GetString("cert")!).NotAfter;
        var provider = new NebulaCertificateProvider(new NebulaCertTool(), new FakeTimeProvider(caNotAfter + TimeSpan.FromDays(1)));

        var e = await Assert.ThrowsAsync<NebulaCertException>(() => provider.CreateAsync(new CreateRequest(CertUrn, NebulaCertificateProvider.Type, CertInputs(ca)), default));

        Assert.Contains("CA expires", e.Message);
        Assert.Contains("rotation", e.Message);
    }

    private static string ProviderInputsIso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
}
