using System.Security.Cryptography;
using System.Text.Json;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// Secret encryption as upstream's publisher does it (comrade-coop/apocryph 4bbf371 pkg/crypto/key_management.go,
/// aes.go): a fresh 32-byte AES key per secret, carried as a JSON Web Key (kty oct, kid "key", alg "dir") in the
/// manifest's <c>Key.data</c>; the ciphertext is the 12-byte nonce, then AES-256-GCM's ciphertext and 16-byte tag.
/// </summary>
public static class SecretSealing
{
    private const int NonceSize = 12, TagSize = 16, KeySize = 32;

    /// <summary>A new key's JWK bytes (what <c>Key.data</c> holds).</summary>
    public static byte[] NewKey() =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["kty"] = "oct",
            ["kid"] = "key",
            ["alg"] = "dir",
            ["k"] = Base64Url(RandomNumberGenerator.GetBytes(KeySize)),
        });

    public static byte[] Seal(byte[] jwk, byte[] plaintext)
    {
        var key = AesKey(jwk);
        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length), sealedBytes.AsSpan(NonceSize + plaintext.Length));
        return sealedBytes;
    }

    private static byte[] AesKey(byte[] jwk)
    {
        using var doc = JsonDocument.Parse(jwk);
        var k = doc.RootElement.GetProperty("k").GetString()!.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(k.PadRight(k.Length + (4 - k.Length % 4) % 4, '='));
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
