using System.Globalization;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Providers.Wallet;

/// <summary>
/// The application's secp256k1 wallet key. It is loaded from an environment variable or a file at run time and
/// never written to the stack file, the state or a log; ToString shows only the address.
/// </summary>
public sealed class WalletKey
{
    private readonly ECPrivateKeyParameters _key;

    private WalletKey(ECPrivateKeyParameters key)
    {
        _key = key;
        Address = EthereumAddress.FromPublicKey(Secp256k1.PublicKey(key).Q);
    }

    /// <summary>The EIP-55 address of this key.</summary>
    public string Address { get; }

    /// <summary>A 32-byte key as 64 hex digits, with or without 0x.</summary>
    public static WalletKey FromHex(string hex)
    {
        var text = hex.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) text = text[2..];
        if (text.Length != 64 || !text.All(Uri.IsHexDigit))
            throw new FormatException("the wallet key must be 32 bytes written as 64 hex digits (optionally 0x-prefixed)");
        var d = new BigInteger(text, 16);
        if (d.SignValue <= 0 || d.CompareTo(Secp256k1.Curve.N) >= 0) throw new FormatException("the wallet key is out of range for secp256k1");
        return new WalletKey(new ECPrivateKeyParameters(d, Secp256k1.Domain));
    }

    /// <summary>
    /// Reads the key from the environment variable <paramref name="name"/>. Errors never repeat the name: if a key
    /// was pasted where the name belongs, it would land in the log.
    /// </summary>
    public static WalletKey FromEnvironment(string name)
    {
        if (MembershipProofSpec.LooksLikePrivateKey(name))
            throw new InvalidOperationException("keyEnv holds what looks like a private key (64 hex digits), not an environment variable name; " +
                "remove it from the stack, treat the key as leaked, and name the variable that holds the key");
        var value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(value)) throw new InvalidOperationException("the environment variable named by keyEnv (the application wallet key) is not set");
        return FromHex(value);
    }

    /// <summary>Reads the key from a file holding the hex key (a trailing newline is fine). Errors never repeat the path.</summary>
    public static WalletKey FromFile(string path)
    {
        if (MembershipProofSpec.LooksLikePrivateKey(path))
            throw new InvalidOperationException("keyFile holds what looks like a private key (64 hex digits), not a path; " +
                "remove it from the stack, treat the key as leaked, and name the file that holds the key");
        if (!File.Exists(path)) throw new FileNotFoundException("the wallet key file named by keyFile does not exist");
        return FromHex(File.ReadAllText(path));
    }

    /// <summary>
    /// Signs a 32-byte hash: deterministic k (RFC 6979), low s (as Ethereum requires), and the recovery id found
    /// by recovering both candidates. Returns r || s || v with v = 27 + recovery id, the form personal_sign returns.
    /// </summary>
    public byte[] SignHash(byte[] hash)
    {
        if (hash.Length != 32) throw new ArgumentException("expected a 32-byte hash", nameof(hash));
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, _key);
        var rs = signer.GenerateSignature(hash);
        BigInteger r = rs[0], s = rs[1];
        if (s.CompareTo(Secp256k1.HalfN) > 0) s = Secp256k1.Curve.N.Subtract(s);
        var q = Secp256k1.PublicKey(_key).Q;
        for (var id = 0; id < 2; id++)
        {
            if (Secp256k1.Recover(hash, r, s, id) is { } candidate && candidate.Equals(q))
                return EthereumSignature.Encode(r, s, 27 + id);
        }
        throw new InvalidOperationException("could not find the recovery id of a fresh signature");
    }

    /// <summary>Ethereum personal_sign (EIP-191 version 0x45) over <paramref name="message"/>.</summary>
    public byte[] SignPersonal(byte[] message) => SignHash(EthereumSignature.PersonalMessageHash(message));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"WalletKey {{ Address = {Address} }}");
}
