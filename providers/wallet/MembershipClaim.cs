using System.Text;

namespace ScyllaApocryph.Providers.Wallet;

/// <summary>
/// What the application wallet signs to vouch for a node: the node certificate's public key, bound to the cluster
/// and the kind of certificate so a signature cannot be replayed for another cluster or the other PKI.
/// The signature is Ethereum personal_sign (EIP-191) over the UTF-8 text of <see cref="Message"/>, so any wallet
/// (or ethers.verifyMessage) can produce and check it; a plain keccak256 of the raw key is not used, because a
/// signed text is readable when a person signs it in a wallet.
/// </summary>
/// <param name="Kind">"nebula" (the 32-byte X25519 key nebula-cert prints) or "tls" (DER SubjectPublicKeyInfo).</param>
/// <param name="PublicKeyHex">The public key, lowercase hex.</param>
public sealed record MembershipClaim(string Cluster, string Kind, string PublicKeyHex)
{
    public string Message =>
        $"scylla-apocryph membership v1\ncluster: {Cluster}\nkind: {Kind}\npublic key: {PublicKeyHex.ToLowerInvariant()}";

    public byte[] MessageBytes => Encoding.UTF8.GetBytes(Message);

    public byte[] Sign(WalletKey key) => key.SignPersonal(MessageBytes);
}
