using System.Security.Cryptography.X509Certificates;
using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Common;

namespace ScyllaApocryph.Providers.Tls;

/// <summary>
/// <c>tls:index:CertificateAuthority</c>: the cluster's X.509 CA for Scylla's internode and client TLS.
/// Inputs: commonName, duration (default 3650d), algorithm (ecdsa-p256 | ecdsa-p384 | rsa-3072), rotation.
/// Outputs: cert (PEM), key (secret PKCS#8 PEM), fingerprint (SHA-256), notBefore, notAfter.
/// Like the Nebula CA, it rotates only when <c>rotation</c> is raised; the key lives only in encrypted state.
/// </summary>
public sealed class TlsCertificateAuthorityProvider(TimeProvider clock) : IResourceProvider
{
    public const string Type = ResourceTypes.TlsCertificateAuthority;

    public TlsCertificateAuthorityProvider() : this(TimeProvider.System)
    {
    }

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var inputs = new ProviderInputs(request.News);
        inputs.RequireString("commonName");
        inputs.Duration("duration", Defaults.Pki.CaDuration);
        if (!TlsKeyAlgorithms.TryParse(inputs.OptionalString("algorithm"), out _))
            inputs.Fail("algorithm", "must be ecdsa-p256, ecdsa-p384 or rsa-3072");
        var rotation = inputs.Generation("rotation");
        if (request.Olds.Count > 0 && inputs.Failures.Count == 0)
        {
            var oldRotation = (long)(request.Olds.Get("rotation")?.AsNumber ?? 0);
            foreach (var key in new[] { "commonName", "duration", "algorithm" })
            {
                if (!inputs.IsUnknown(key) && !Equals(request.Olds.Get(key), inputs.Map.Get(key)) && rotation == oldRotation)
                    inputs.Fail(key, $"changing it would rotate the CA and reissue every certificate; to rotate deliberately also raise 'rotation' (now {rotation})");
            }
            if (rotation < oldRotation) inputs.Fail("rotation", $"must not go backwards (was {oldRotation})");
        }
        return Task.FromResult(new CheckResult(inputs.Map, inputs.Failures));
    }

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        var diff = DiffResult.ByInputs(request.OldInputs, request.NewInputs, "commonName", "duration", "algorithm", "rotation");
        if (diff.ReplaceKeys.Count == 0 && ProviderInputs.ParseIso(request.OldOutputs.GetString("notAfter")) is { } end
            && end - clock.GetUtcNow() < RenewalWindow.CaExpiryWarning)
            diff = diff with { Notes = [$"the TLS CA expires at {ProviderInputs.Iso(end)}; raise 'rotation' to issue a new CA and reissue every certificate"] };
        return Task.FromResult(diff);
    }

    public Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken)
    {
        var i = request.Inputs;
        TlsKeyAlgorithms.TryParse(i.GetString("algorithm"), out var algorithm);
        var ca = TlsIssuer.CreateCa(i.GetString("commonName") ?? throw new ArgumentException("commonName is required"),
            StackDuration.Parse(i.GetString("duration") ?? Defaults.Pki.CaDuration), clock.GetUtcNow(), algorithm);
        var outputs = Outputs(ca);
        return Task.FromResult(new CreateResult(outputs.GetString("fingerprint")!, outputs));
    }

    public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(request.Outputs.GetString("cert") is null ? null : new ReadResult(request.Id, request.Outputs));

    public Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new UpdateResult(request.OldOutputs));

    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Create only computes: an interrupted one left nothing outside the state.</summary>
    public Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken) => Task.FromResult(FindResult.Absent);

    internal static PropertyMap Outputs(TlsKeyPair pair)
    {
        using var cert = X509Certificate2.CreateFromPem(pair.CertificatePem);
        return PropertyMap.Of(
            ("cert", pair.CertificatePem),
            ("key", PropertyValue.Secret(pair.PrivateKeyPem)),
            ("fingerprint", TlsIssuer.Fingerprint(pair.CertificatePem)),
            ("publicKey", Convert.ToHexStringLower(TlsIssuer.SubjectPublicKeyInfo(pair.CertificatePem))),
            ("notBefore", ProviderInputs.Iso(cert.NotBefore)),
            ("notAfter", ProviderInputs.Iso(cert.NotAfter)));
    }
}
