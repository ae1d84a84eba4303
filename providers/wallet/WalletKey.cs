using System.Globalization;
using Nethereum.Signer;
using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Providers.Wallet;

/// <summary>
/// The application's secp256k1 wallet key. It is loaded from an environment variable or a file at run time and
/// never written to the stack file, the state or a log; ToString shows only the address.
/// </summary>
public sealed class WalletKey
{
    // secp256k1 order n: a private key must be in 1..n-1.
    private static readonly System.Numerics.BigInteger CurveOrder =
        System.Numerics.BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private readonly EthECKey _key;

    private WalletKey(EthECKey key)
    {
        _key = key;
        Address = key.GetPublicAddress();
    }

    /// <summary>The key for Nethereum's transaction signer (Nethereum.Web3.Accounts.Account); never logged.</summary>
    internal EthECKey EthKey => _key;

    /// <summary>The EIP-55 address of this key.</summary>
    public string Address { get; }

    /// <summary>A 32-byte key as 64 hex digits, with or without 0x.</summary>
    public static WalletKey FromHex(string hex)
    {
        var text = hex.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) text = text[2..];
        if (text.Length != 64 || !text.All(Uri.IsHexDigit))
            throw new FormatException("the wallet key must be 32 bytes written as 64 hex digits (optionally 0x-prefixed)");
        var d = System.Numerics.BigInteger.Parse("0" + text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (d.IsZero || d >= CurveOrder) throw new FormatException("the wallet key is out of range for secp256k1");
        return new WalletKey(new EthECKey(text));
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
    /// Signs a 32-byte hash with Nethereum: deterministic k (RFC 6979), low s. Returns r || s || v with
    /// v = 27 + recovery id, the form personal_sign returns.
    /// </summary>
    public byte[] SignHash(byte[] hash)
    {
        if (hash.Length != 32) throw new ArgumentException("expected a 32-byte hash", nameof(hash));
        var signature = _key.SignAndCalculateV(hash);
        return [.. Pad32(signature.R), .. Pad32(signature.S), signature.V[0]];
    }

    /// <summary>r || s || recovery id (0 or 1), as go-ethereum's crypto.Sign returns: what Apocryph's bearer token carries.</summary>
    public byte[] SignHashRecoverable(byte[] hash)
    {
        var signature = SignHash(hash);
        signature[64] -= 27;
        return signature;
    }

    private static byte[] Pad32(byte[] value) =>
        value.Length >= 32 ? value[^32..] : [.. new byte[32 - value.Length], .. value];

    /// <summary>Ethereum personal_sign (EIP-191 version 0x45) over <paramref name="message"/>.</summary>
    public byte[] SignPersonal(byte[] message) => SignHash(EthereumSignature.PersonalMessageHash(message));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"WalletKey {{ Address = {Address} }}");
}
