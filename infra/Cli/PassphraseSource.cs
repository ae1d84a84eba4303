using System.Security.Cryptography;
using ScyllaApocryph.Engine.State;

namespace ScyllaApocryph.Infra.Cli;

/// <summary>
/// Where the passphrase for a stack's secrets comes from, in order: <c>PULUMI_CONFIG_PASSPHRASE</c>,
/// <c>PULUMI_CONFIG_PASSPHRASE_FILE</c>, or — for a stack that has no secrets yet, or was started this way — a
/// random passphrase generated into <c>.state/&lt;stack&gt;/passphrase</c> with mode 0600. Never plaintext state.
/// Finding it only reads, so a bad setting is refused before anything is created; generating it is a separate step.
/// </summary>
public static class PassphraseSource
{
    public const string GeneratedFile = "passphrase";

    /// <summary>The passphrase the environment or the stack gives; null if the stack is new and none is set.</summary>
    /// <exception cref="Config.ConfigException">A setting is unusable, or the stack's secrets need a passphrase that is not set.</exception>
    public static string? Find(string stackDirectory, Func<string, string?> env)
    {
        if (env("PULUMI_CONFIG_PASSPHRASE") is { } passphrase)
        {
            if (passphrase.Length == 0) throw new Config.ConfigException(["PULUMI_CONFIG_PASSPHRASE: is set but empty; set a passphrase or unset it"]);
            return passphrase;
        }
        if (env("PULUMI_CONFIG_PASSPHRASE_FILE") is { Length: > 0 } path)
        {
            if (!File.Exists(path)) throw new Config.ConfigException([$"PULUMI_CONFIG_PASSPHRASE_FILE: file '{path}' does not exist"]);
            string text;
            try
            {
                text = File.ReadAllText(path).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new Config.ConfigException([$"PULUMI_CONFIG_PASSPHRASE_FILE: file '{path}' cannot be read ({e.Message})"]);
            }
            if (text.Length == 0) throw new Config.ConfigException([$"PULUMI_CONFIG_PASSPHRASE_FILE: file '{path}' is empty; put the passphrase in it"]);
            return text;
        }
        var generated = Path.Combine(stackDirectory, GeneratedFile);
        if (File.Exists(generated)) return File.ReadAllText(generated).TrimEnd('\n');
        if (File.Exists(Path.Combine(stackDirectory, PassphraseCipher.SettingsFile)))
            throw new Config.ConfigException(["PULUMI_CONFIG_PASSPHRASE: this stack's secrets are encrypted with a passphrase; set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE"]);
        return null;
    }

    /// <summary>Generates a random passphrase for a new stack into its directory (mode 0600) and says where.</summary>
    public static string Generate(string stackDirectory, Action<string> notice)
    {
        var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var generated = Path.Combine(stackDirectory, GeneratedFile);
        Directory.CreateDirectory(stackDirectory);
        using (var file = new FileStream(generated, new FileStreamOptions
               {
                   Mode = FileMode.CreateNew, Access = FileAccess.Write,
                   UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
               }))
        using (var writer = new StreamWriter(file))
        {
            writer.Write(fresh + "\n");
        }
        notice($"no PULUMI_CONFIG_PASSPHRASE is set: this stack's secrets are encrypted with a generated passphrase kept in {generated} (mode 0600). Keep that file; without it the stack's secrets cannot be read.");
        return fresh;
    }
}
