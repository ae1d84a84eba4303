using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Common;

namespace ScyllaApocryph.Providers.Wallet;

/// <summary>
/// <c>wallet:index:MembershipProof</c>: the application wallet's signature over one node certificate's public key.
/// Inputs: cluster, kind (nebula | tls), publicKey (hex; reference the certificate's publicKey output), and where
/// the key is: keyEnv (environment variable name) or keyFile (path) — never the key itself; optional address
/// (the expected application address: a different key is refused). Outputs: signature (0x hex, 65 bytes), signer, message.
/// Signing is deterministic (RFC 6979), so a re-driven Create returns the same signature.
/// </summary>
public sealed class MembershipProofProvider : IResourceProvider
{
    public const string Type = ResourceTypes.MembershipProof;

    private static readonly string[] Forbidden = ["privateKey", "key", "walletKey", "secretKey"];

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var inputs = new ProviderInputs(request.News);
        foreach (var key in Forbidden.Where(request.News.ContainsKey))
            inputs.Fail(key, "the wallet key never goes into the stack; give keyEnv (an environment variable name) or keyFile (a path)");
        inputs.RequireString("cluster");
        var kind = inputs.RequireString("kind");
        if (kind is not null and not ("nebula" or "tls")) inputs.Fail("kind", "must be 'nebula' or 'tls'");
        var publicKey = inputs.RequireString("publicKey");
        if (publicKey is not null && (publicKey.Length % 2 != 0 || !publicKey.All(Uri.IsHexDigit)))
            inputs.Fail("publicKey", "must be hex");
        var env = inputs.OptionalString("keyEnv");
        var file = inputs.OptionalString("keyFile");
        if (string.IsNullOrWhiteSpace(env) == string.IsNullOrWhiteSpace(file) && !inputs.IsUnknown("keyEnv") && !inputs.IsUnknown("keyFile"))
            inputs.Fail("keyEnv", "give exactly one of keyEnv and keyFile");
        foreach (var (name, value) in new[] { ("keyEnv", env), ("keyFile", file) })
            if (Components.Cluster.MembershipProofSpec.LooksLikePrivateKey(value))
                inputs.Fail(name, "holds what looks like a private key (64 hex digits); the wallet key never goes into the stack: give the name of the variable or file that holds it");
        var address = inputs.OptionalString("address");
        if (address is not null && EthereumAddressText.Normalize(address) is null) inputs.Fail("address", $"'{address}' is not an Ethereum address");
        return Task.FromResult(new CheckResult(inputs.Map, inputs.Failures));
    }

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(DiffResult.ByInputs(request.OldInputs, request.NewInputs, "cluster", "kind", "publicKey", "keyEnv", "keyFile", "address"));

    public Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken)
    {
        var i = request.Inputs;
        var key = i.GetString("keyEnv") is { Length: > 0 } env ? WalletKey.FromEnvironment(env) : WalletKey.FromFile(i.GetString("keyFile")!);
        if (i.GetString("address") is { } expected && !EthereumAddressText.AreEqual(expected, key.Address))
            throw new InvalidOperationException($"the wallet key belongs to {key.Address}, not to the application address {EthereumAddressText.Checksum(expected)}");
        var claim = new MembershipClaim(i.GetString("cluster")!, i.GetString("kind")!, i.GetString("publicKey")!);
        var signature = EthereumSignature.ToHex(claim.Sign(key));
        var outputs = PropertyMap.Of(("signature", signature), ("signer", key.Address), ("message", claim.Message));
        return Task.FromResult(new CreateResult(signature[..18], outputs));
    }

    /// <summary>Gone if the stored signature no longer verifies against its own inputs (a damaged state).</summary>
    public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        var i = request.Inputs;
        var signature = EthereumSignature.FromHex(request.Outputs.GetString("signature"));
        if (signature is null || i.GetString("cluster") is not { } cluster || i.GetString("kind") is not { } kind || i.GetString("publicKey") is not { } pk)
            return Task.FromResult<ReadResult?>(null);
        var signer = MembershipVerifier.Signer(new MembershipClaim(cluster, kind, pk), signature);
        var ok = signer is not null && EthereumAddressText.AreEqual(signer, request.Outputs.GetString("signer") ?? "");
        return Task.FromResult(ok ? new ReadResult(request.Id, request.Outputs) : null);
    }

    public Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new UpdateResult(request.OldOutputs));

    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Create only computes: an interrupted one left nothing outside the state.</summary>
    public Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken) => Task.FromResult(FindResult.Absent);
}
