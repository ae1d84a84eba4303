using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Common;

namespace ScyllaApocryph.Providers.Nebula;

/// <summary>
/// <c>nebula:index:CertificateAuthority</c>: one Nebula CA per cluster, made by nebula-cert.
/// Inputs: name, duration (default 3650d), rotation (generation, default 0).
/// Outputs: cert (PEM), key (secret PEM), fingerprint, notBefore, notAfter.
/// <para>
/// Rotation is deliberate: a new CA means every certificate is reissued and every node restarts with a new
/// trust root, so editing name or duration alone is refused; the operator bumps <c>rotation</c> to rotate.
/// The key lives only in the engine's (encrypted) state: there is nothing outside to adopt, so a re-driven
/// Create simply makes a CA, and Delete has nothing to remove.
/// </para>
/// </summary>
public sealed class NebulaCertificateAuthorityProvider(NebulaCertTool tool, TimeProvider clock) : IResourceProvider
{
    public const string Type = ResourceTypes.NebulaCertificateAuthority;

    public NebulaCertificateAuthorityProvider() : this(new NebulaCertTool(), TimeProvider.System)
    {
    }

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var inputs = new ProviderInputs(request.News);
        inputs.RequireString("name");
        inputs.Duration("duration", Defaults.Pki.CaDuration);
        var rotation = inputs.Generation("rotation");
        if (request.Olds.Count > 0 && inputs.Failures.Count == 0)
        {
            var oldRotation = request.Olds.Get("rotation")?.AsNumber ?? 0;
            foreach (var key in new[] { "name", "duration" })
            {
                if (!inputs.IsUnknown(key) && !Equals(request.Olds.Get(key), inputs.Map.Get(key)) && rotation == (long)oldRotation)
                    inputs.Fail(key, "changing it would rotate the CA and reissue every node certificate; " +
                        $"to rotate deliberately also raise 'rotation' (now {rotation})");
            }
            if (rotation < (long)oldRotation) inputs.Fail("rotation", $"must not go backwards (was {oldRotation})");
        }
        return Task.FromResult(new CheckResult(inputs.Map, inputs.Failures));
    }

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        var diff = DiffResult.ByInputs(request.OldInputs, request.NewInputs, "name", "duration", "rotation");
        var notAfter = ProviderInputs.ParseIso(request.OldOutputs.GetString("notAfter"));
        if (notAfter is { } end && end - clock.GetUtcNow() < RenewalWindow.CaExpiryWarning && diff.ReplaceKeys.Count == 0)
        {
            // A CA is never replaced by the calendar: say so, and let the operator rotate.
            diff = diff with
            {
                Notes = [$"the Nebula CA expires at {ProviderInputs.Iso(end)}; raise 'rotation' to issue a new CA and reissue every certificate"],
            };
        }
        return Task.FromResult(diff);
    }

    public Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken)
    {
        var name = request.Inputs.GetString("name") ?? throw new ArgumentException("name is required");
        var duration = StackDuration.Parse(request.Inputs.GetString("duration") ?? Defaults.Pki.CaDuration);
        var ca = tool.CreateCa(name, duration);
        var info = tool.Print(ca.CertificatePem);
        return Task.FromResult(new CreateResult(info.Fingerprint, Outputs(ca, info)));
    }

    public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken) =>
        // The state is the only copy of a CA; it exists as long as its outputs do.
        Task.FromResult(request.Outputs.GetString("cert") is null ? null : new ReadResult(request.Id, request.Outputs));

    public Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new UpdateResult(request.OldOutputs));

    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Create only computes: an interrupted one left nothing outside the state.</summary>
    public Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken) => Task.FromResult(FindResult.Absent);

    internal static PropertyMap Outputs(NebulaKeyPair pair, NebulaCertInfo info) => PropertyMap.Of(
        ("cert", pair.CertificatePem),
        ("key", PropertyValue.Secret(pair.PrivateKeyPem)),
        ("fingerprint", info.Fingerprint),
        ("notBefore", ProviderInputs.Iso(info.NotBefore)),
        ("notAfter", ProviderInputs.Iso(info.NotAfter)));
}
