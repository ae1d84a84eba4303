using System.Security.Cryptography;
using System.Text.Json;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// What an upstream provider does with a downloaded secret (comrade-coop/apocryph 4bbf371 pkg/ipfs/secrets.go
/// DecryptSecret, pkg/crypto/key_management.go DecryptWithKey, aes.go decryptWithAES): no key, the bytes as they
/// are; a JSON Web Key whose key is symmetric ("oct"), AES-GCM with the first 12 bytes as nonce; any other key
/// "Not an AES key"; a failed tag check Go's "cipher: message authentication failed".
/// </summary>
public static class SecretOpening
{
    public static byte[] Open(byte[]? jwk, byte[] contents)
    {
        if (jwk is null || jwk.Length == 0) return contents;
        byte[] key;
        try
        {
            using var doc = JsonDocument.Parse(jwk);
            if (doc.RootElement.GetProperty("kty").GetString() != "oct") throw new SecretRefusedException("Not an AES key");
            var k = doc.RootElement.GetProperty("k").GetString()!.Replace('-', '+').Replace('_', '/');
            key = Convert.FromBase64String(k.PadRight(k.Length + (4 - k.Length % 4) % 4, '='));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new SecretRefusedException("go-jose/go-jose: unknown json web key type");
        }
        if (key.Length is not (16 or 24 or 32)) throw new SecretRefusedException($"crypto/aes: invalid key size {key.Length}");
        if (contents.Length < 12 + 16) throw new SecretRefusedException("cipher: message authentication failed");
        var plaintext = new byte[contents.Length - 12 - 16];
        try
        {
            using var aes = new AesGcm(key, 16);
            aes.Decrypt(contents.AsSpan(0, 12), contents.AsSpan(12, plaintext.Length), contents.AsSpan(contents.Length - 16), plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SecretRefusedException("cipher: message authentication failed");
        }
        return plaintext;
    }
}

public sealed class SecretRefusedException(string message) : Exception(message);
