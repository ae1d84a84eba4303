using System.Text;
using System.Text.Json;
using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// A provider's check of the bearer token, as upstream's authInterceptor.authenticate
/// (pkg/proto/protoconnect/interceptors.go at 4bbf371): Bearer prefix, two standard-base64 parts, Go JSON with a
/// 0x hash, RFC 3339 time and a 0x address, not expired, a 65-byte signature with recovery id 0/1 (go-ethereum's
/// SigToPub refuses 27/28) and low s (VerifySignature) over keccak256 of the exact JSON bytes, recovering the
/// publisher. Upstream never compares Operation with the procedure; this double does, because tpodctl always
/// sends the procedure and a client that does not is wrong.
/// </summary>
internal static class ProvisionTokenCheck
{
    public sealed record Verified(string Publisher, byte[] PodId, string Namespace);

    /// <summary>The verified token, or a Connect error (code, message) as upstream returns it.</summary>
    public static (Verified? Token, string? Code, string? Message) Authenticate(string? header, string procedure, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(header)) return (null, "unauthenticated", "Empty Authentication field");
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return (null, "unauthenticated", "Expected Bearer Authentication");
        var parts = header["Bearer ".Length..].Split('.');
        if (parts.Length != 2) return (null, "unauthenticated", "Invalid token (wrong number of parts)");
        byte[] data, signature;
        try
        {
            data = Convert.FromBase64String(parts[0]);
            signature = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException e)
        {
            return (null, "unknown", "illegal base64 data: " + e.Message);
        }
        string publisher, operation;
        byte[] podId;
        DateTimeOffset expiration;
        try
        {
            using var doc = JsonDocument.Parse(data);
            var root = doc.RootElement;
            podId = Hex(root.GetProperty("PodId").GetString(), 32);
            operation = root.GetProperty("Operation").GetString() ?? "";
            expiration = DateTimeOffset.Parse(root.GetProperty("ExpirationTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            publisher = "0x" + Convert.ToHexStringLower(Hex(root.GetProperty("Publisher").GetString(), 20));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or ArgumentNullException)
        {
            return (null, "data_loss", "Failed Unmarshalling token");
        }
        if (now > expiration) return (null, "deadline_exceeded", "Token Expired");
        if (signature.Length != 65 || signature[64] > 1)
            return (null, "unknown", "Error verifying payload: invalid signature recovery id");
        var signer = EthereumSignature.RecoverAddress(EthereumSignature.Keccak256(data), signature);
        if (signer is null || !EthereumAddressText.AreEqual(signer, publisher)) return (null, "unauthenticated", "Invalid signature");
        if (operation != procedure) return (null, "unauthenticated", $"token is for {operation}, not {procedure}");
        return (new Verified(publisher, podId, ApocryphNames.Namespace(publisher, podId)), null, null);
    }

    private static byte[] Hex(string? text, int length)
    {
        if (text is null || !text.StartsWith("0x", StringComparison.Ordinal) || text.Length != 2 + 2 * length) throw new FormatException("hex");
        return Convert.FromHexString(text[2..]);
    }

    public static string Decode(string bearer) => Encoding.UTF8.GetString(Convert.FromBase64String(bearer["Bearer ".Length..].Split('.')[0]));
}
