using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Engine.State;

/// <summary>
/// AES-256-GCM with a key derived from a passphrase by PBKDF2-SHA256. Each secret gets a fresh 96-bit nonce;
/// a stored value is base64(nonce | ciphertext | tag). The salt, the iteration count and an encrypted check value
/// live in the stack's <c>secrets.json</c>. The key is derived when the first secret is encrypted or decrypted, at
/// most once per cipher, and a wrong passphrase is refused then, before that secret is used; a run that never
/// touches a secret never pays for the derivation (<see cref="EnsureKey"/> asks for it up front).
/// </summary>
public sealed class PassphraseCipher : ISecretCipher
{
    public const string SettingsFile = "secrets.json";
    public const int DefaultIterations = 600_000;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const string CheckText = "scylla-apocryph";

    /// <summary>The passphrase-to-key function: PBKDF2-SHA256 in production; tests count calls through it.</summary>
    public delegate byte[] KeyDerivation(string passphrase, byte[] salt, int iterations);

    public static readonly KeyDerivation Pbkdf2 = (passphrase, salt, iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(passphrase, salt, iterations, HashAlgorithmName.SHA256, 32);

    private readonly Lock _gate = new();
    private readonly Func<byte[]>? _derive;
    private byte[]? _key;
    private WrongPassphraseException? _refused;

    private PassphraseCipher(byte[] key) => _key = key;

    private PassphraseCipher(Func<byte[]> derive) => _derive = derive;

    /// <summary>Opens the stack's cipher, creating its salt on first use (which derives the key at once).</summary>
    /// <exception cref="StateDamagedException"><c>secrets.json</c> is not well-formed.</exception>
    public static PassphraseCipher Open(string stackDirectory, string passphrase, int iterations = DefaultIterations,
        KeyDerivation? derive = null)
    {
        derive ??= Pbkdf2;
        Directory.CreateDirectory(stackDirectory);
        var path = Path.Combine(stackDirectory, SettingsFile);
        if (!File.Exists(path))
        {
            var salt = RandomNumberGenerator.GetBytes(16);
            var created = new PassphraseCipher(derive(passphrase, salt, iterations));
            var settings = new Settings(Convert.ToBase64String(salt), iterations, created.Encrypt(Encoding.UTF8.GetBytes(CheckText)));
            File.WriteAllText(path, JsonSerializer.Serialize(settings, SettingsJson.Default.Settings));
            return created;
        }

        Settings? stored;
        try
        {
            stored = JsonSerializer.Deserialize(File.ReadAllText(path), SettingsJson.Default.Settings);
        }
        catch (JsonException e)
        {
            throw SettingsDamaged(path, e.Message, e);
        }
        if (stored is null) throw new StateDamagedException($"state file {path} is empty; it holds the salt of this stack's secrets.");
        var storedSalt = Base64(stored.Salt, path, "salt");
        Base64(stored.Check, path, "check");
        if (stored.Iterations < 1) throw SettingsDamaged(path, $"iterations must be a positive number, not {stored.Iterations}");
        return new PassphraseCipher(() =>
        {
            var key = derive(passphrase, storedSalt, stored.Iterations);
            try
            {
                if (Encoding.UTF8.GetString(Decrypt(key, stored.Check!)) == CheckText) return key;
            }
            catch (CryptographicException)
            {
            }
            throw new WrongPassphraseException("the passphrase does not match the one this stack's secrets were encrypted with " +
                                               "(check PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE)");
        });
    }

    /// <summary>Derives the key now, if no secret has needed it yet.</summary>
    /// <exception cref="WrongPassphraseException">The passphrase does not match the one the stack was created with.</exception>
    public void EnsureKey() => _ = Key;

    // Derived once; a wrong passphrase is remembered too, so every later use is refused without deriving again.
    private byte[] Key
    {
        get
        {
            if (Volatile.Read(ref _key) is { } key) return key;
            lock (_gate)
            {
                if (_key is not null) return _key;
                if (_refused is not null) throw new WrongPassphraseException(_refused.Message);
                try
                {
                    return _key = _derive!();
                }
                catch (WrongPassphraseException e)
                {
                    _refused = e;
                    throw;
                }
            }
        }
    }

    /// <summary>A cipher that is never stored: for previews of a stack that has no state yet.</summary>
    public static PassphraseCipher Transient() => new(RandomNumberGenerator.GetBytes(32));

    public string Encrypt(ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length));
        return Convert.ToBase64String(output);
    }

    public byte[] Decrypt(string ciphertext) => Decrypt(Key, ciphertext);

    private static byte[] Decrypt(byte[] key, string ciphertext)
    {
        var input = Convert.FromBase64String(ciphertext);
        if (input.Length < NonceSize + TagSize) throw new CryptographicException("secret value is too short");
        var plaintext = new byte[input.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize, plaintext.Length), input.AsSpan(input.Length - TagSize), plaintext);
        return plaintext;
    }

    // Damage to secrets.json is told apart from a wrong passphrase: only a well-formed file can refuse a passphrase.
    private static byte[] Base64(string? value, string path, string key)
    {
        if (value is null) throw SettingsDamaged(path, $"'{key}' is missing");
        try
        {
            var bytes = Convert.FromBase64String(value);
            if (key == "check" && bytes.Length < NonceSize + TagSize) throw SettingsDamaged(path, $"'{key}' is too short");
            return bytes;
        }
        catch (FormatException e)
        {
            throw SettingsDamaged(path, $"'{key}' is not valid base64", e);
        }
    }

    private static StateDamagedException SettingsDamaged(string path, string detail, Exception? inner = null) =>
        new($"state file {path} is damaged ({detail}); it holds the salt of this stack's secrets, without which they cannot be read, " +
            "and it was not changed. Restore it from a copy of this stack's state directory.", inner);

    internal sealed record Settings(string? Salt, int Iterations, string? Check);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(PassphraseCipher.Settings))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class SettingsJson : System.Text.Json.Serialization.JsonSerializerContext;

public sealed class WrongPassphraseException(string message) : Exception(message);
