namespace ScyllaApocryph.Providers.Wallet;

/// <summary>Accepts a node only if its claim was signed by the application's own wallet address.</summary>
public sealed class MembershipVerifier
{
    private readonly string _application;

    public MembershipVerifier(string applicationAddress)
    {
        _application = EthereumAddressText.Normalize(applicationAddress)
            ?? throw new ArgumentException($"'{applicationAddress}' is not an Ethereum address", nameof(applicationAddress));
    }

    /// <summary>The signer of <paramref name="signature"/> over <paramref name="claim"/>, or null if it recovers none.</summary>
    public static string? Signer(MembershipClaim claim, byte[] signature) =>
        EthereumSignature.RecoverAddress(EthereumSignature.PersonalMessageHash(claim.MessageBytes), signature);

    public bool Verify(MembershipClaim claim, byte[] signature) =>
        Signer(claim, signature) is { } signer && EthereumAddressText.Normalize(signer) == _application;
}
