using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;

namespace ScyllaApocryph.Providers.Wallet;

/// <summary>
/// The secp256k1 curve and public key recovery (SEC 1 v2, section 4.1.6) built from BouncyCastle's point
/// arithmetic. Recovery is what Ethereum's ecrecover does; BouncyCastle has the primitives but not the procedure.
/// </summary>
internal static class Secp256k1
{
    public static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    public static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    public static readonly BigInteger HalfN = Curve.N.ShiftRight(1);

    /// <summary>The public key that produced (r, s) over <paramref name="hash"/>, for recovery id 0 or 1; null if none.</summary>
    public static ECPoint? Recover(byte[] hash, BigInteger r, BigInteger s, int recoveryId)
    {
        var n = Curve.N;
        if (recoveryId is not (0 or 1) || r.SignValue <= 0 || s.SignValue <= 0 || r.CompareTo(n) >= 0 || s.CompareTo(n) >= 0) return null;
        // x = r: the j = 1 case (x = r + n) needs r < p - n, which has probability ~2^-128; Ethereum ignores it too.
        if (r.CompareTo(Curve.Curve.Field.Characteristic) >= 0) return null;
        var encoded = new byte[33];
        encoded[0] = (byte)(recoveryId == 1 ? 0x03 : 0x02);
        r.ToByteArrayUnsigned().CopyTo(encoded, 33 - r.ToByteArrayUnsigned().Length);
        ECPoint bigR;
        try
        {
            bigR = Curve.Curve.DecodePoint(encoded);
        }
        catch (ArgumentException)
        {
            return null;
        }
        if (!bigR.Multiply(n).IsInfinity) return null;
        var e = new BigInteger(1, hash);
        var rInv = r.ModInverse(n);
        // Q = r^-1 (s R - e G)
        var q = ECAlgorithms.SumOfTwoMultiplies(Curve.G, e.Negate().Mod(n).Multiply(rInv).Mod(n), bigR, s.Multiply(rInv).Mod(n)).Normalize();
        return q.IsInfinity ? null : q;
    }

    public static ECPublicKeyParameters PublicKey(ECPrivateKeyParameters key) => new(Curve.G.Multiply(key.D).Normalize(), Domain);
}
