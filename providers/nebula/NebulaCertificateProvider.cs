using System.Net;
using System.Net.Sockets;
using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Common;

namespace ScyllaApocryph.Providers.Nebula;

/// <summary>
/// <c>nebula:index:Certificate</c>: a host certificate for one node slot, signed by nebula-cert.
/// Inputs: name, ip (overlay address with prefix, e.g. 10.42.0.5/16), groups, duration (default 365d; cut short to
/// end just before the CA does, since nebula-cert refuses a certificate that outlives its CA),
/// renewBefore (default 30d), caCert and caKey (references to the CA's outputs; caKey is kept secret).
/// Outputs: cert, key (secret), fingerprint, publicKey, caFingerprint, notBefore, notAfter.
/// <para>
/// Replaced when anything it was signed from changes (including the CA, so a CA rotation reissues every
/// certificate), and when the next plan runs inside its renewal window (notAfter - renewBefore), unless it already
/// ends with its CA: then the plan notes that the CA needs rotating instead.
/// </para>
/// </summary>
public sealed class NebulaCertificateProvider(NebulaCertTool tool, TimeProvider clock) : IResourceProvider
{
    public const string Type = ResourceTypes.NebulaCertificate;

    private static readonly string[] SignedFrom = ["name", "ip", "groups", "duration", "caCert", "caKey"];

    public NebulaCertificateProvider() : this(new NebulaCertTool(), TimeProvider.System)
    {
    }

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var inputs = new ProviderInputs(request.News);
        inputs.RequireString("name");
        var ip = inputs.RequireString("ip");
        if (ip is not null && !IsIpv4Cidr(ip)) inputs.Fail("ip", $"'{ip}' is not an IPv4 address with prefix length, e.g. 10.42.0.5/16");
        var groups = inputs.StringList("groups");
        if (groups is not null && groups.Any(g => g.Length == 0 || g.Contains(',') || g.Any(char.IsWhiteSpace)))
            inputs.Fail("groups", "group names must be non-empty, without commas or spaces");
        var duration = inputs.Duration("duration", Defaults.Pki.CertDuration);
        var renewBefore = inputs.Duration("renewBefore", Defaults.Pki.RenewBefore);
        if (duration is { } d && renewBefore is { } r && r >= d)
            inputs.Fail("renewBefore", "must be shorter than duration, or every plan would reissue the certificate");
        inputs.RequireString("caCert");
        inputs.RequireString("caKey");
        // The CA key may arrive as a plain reference value; make sure state stores it encrypted.
        if (inputs.Map.Get("caKey") is { } key and not SecretValue && !key.ContainsUnknowns)
            return Task.FromResult(new CheckResult(inputs.Map.With("caKey", PropertyValue.Secret(key)), inputs.Failures));
        return Task.FromResult(new CheckResult(inputs.Map, inputs.Failures));
    }

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        var diff = DiffResult.ByInputs(request.OldInputs, request.NewInputs, SignedFrom);
        return Task.FromResult(RenewalWindow.Apply(diff, request.OldOutputs, request.NewInputs, clock.GetUtcNow(), () => CaNotAfter(request.NewInputs)));
    }

    public Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken)
    {
        var i = request.Inputs;
        var ca = new NebulaKeyPair(Required(i, "caCert"), Required(i, "caKey"));
        var groups = i.Get("groups")?.AsArray?.Select(g => g.AsString!).ToList() ?? [];
        var duration = CappedAtCa(StackDuration.Parse(i.GetString("duration") ?? Defaults.Pki.CertDuration), tool.Print(ca.CertificatePem).NotAfter, clock.GetUtcNow());
        var pair = tool.Sign(ca, Required(i, "name"), Required(i, "ip"), groups, duration);
        var info = tool.Print(pair.CertificatePem);
        var outputs = NebulaCertificateAuthorityProvider.Outputs(pair, info)
            .With("publicKey", info.PublicKey)
            .With("caFingerprint", info.Issuer);
        return Task.FromResult(new CreateResult(info.Fingerprint, outputs));
    }

    public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(request.Outputs.GetString("cert") is null ? null : new ReadResult(request.Id, request.Outputs));

    /// <summary>Only renewBefore updates in place; it changes when the next reissue happens, not this certificate.</summary>
    public Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new UpdateResult(request.OldOutputs));

    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Create only computes: an interrupted one left nothing outside the state.</summary>
    public Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken) => Task.FromResult(FindResult.Absent);

    /// <summary>
    /// nebula-cert refuses a certificate that outlives its CA, so a request reaching past the CA's notAfter is cut to
    /// end <see cref="RenewalWindow.CaMargin"/> before it (as TLS leaves end with their CA).
    /// </summary>
    internal static TimeSpan CappedAtCa(TimeSpan requested, DateTimeOffset caNotAfter, DateTimeOffset now)
    {
        var left = caNotAfter - RenewalWindow.CaMargin - now;
        if (left < TimeSpan.FromSeconds(1))
            throw new NebulaCertException($"the Nebula CA expires at {ProviderInputs.Iso(caNotAfter)}, too soon to sign a certificate; " +
                "raise the CA's 'rotation' to issue a new CA");
        // nebula-cert takes whole seconds.
        return requested <= left ? requested : TimeSpan.FromSeconds(Math.Floor(left.TotalSeconds));
    }

    /// <summary>The CA's notAfter from the caCert input; null while it is unknown or unreadable (then renewal goes by the leaf alone).</summary>
    private DateTimeOffset? CaNotAfter(PropertyMap inputs)
    {
        if (inputs.Get("caCert")?.AsString is not { } pem) return null;
        try
        {
            return tool.Print(pem).NotAfter;
        }
        catch (NebulaCertException)
        {
            return null;
        }
    }

    private static string Required(PropertyMap inputs, string key) =>
        inputs.Get(key)?.AsString ?? throw new ArgumentException($"input '{key}' is missing");

    internal static bool IsIpv4Cidr(string text)
    {
        var parts = text.Split('/');
        return parts.Length == 2
            && IPAddress.TryParse(parts[0], out var address) && address.AddressFamily == AddressFamily.InterNetwork
            && parts[0].Count(c => c == '.') == 3
            && int.TryParse(parts[1], out var prefix) && prefix is >= 1 and <= 32;
    }
}
