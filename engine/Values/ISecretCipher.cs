namespace ScyllaApocryph.Engine.Values;

/// <summary>Encrypts secret values for storage; implementations never log what they handle.</summary>
public interface ISecretCipher
{
    string Encrypt(ReadOnlySpan<byte> plaintext);

    byte[] Decrypt(string ciphertext);
}
