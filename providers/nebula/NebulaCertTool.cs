using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ScyllaApocryph.Providers.Nebula;

/// <summary>
/// Runs the real <c>nebula-cert</c>. Every call works in a fresh directory only the current user can enter
/// (0700), reads what nebula-cert wrote and deletes the directory, so private keys never linger on disk.
/// </summary>
public sealed class NebulaCertTool(string executable = "nebula-cert")
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public string Executable { get; } = executable;

    /// <summary>True when the binary can be started (used by tests to skip with a reason).</summary>
    public bool IsAvailable()
    {
        try
        {
            using var dir = PrivateDirectory.Create();
            Run(dir.Path, ["-version"]);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    public NebulaKeyPair CreateCa(string name, TimeSpan duration, IReadOnlyList<string>? groups = null)
    {
        using var dir = PrivateDirectory.Create();
        var args = new List<string> { "ca", "-name", name, "-duration", GoDuration(duration), "-out-crt", "ca.crt", "-out-key", "ca.key" };
        if (groups is { Count: > 0 }) args.AddRange(["-groups", string.Join(',', groups)]);
        Run(dir.Path, args);
        return new NebulaKeyPair(dir.Read("ca.crt"), dir.Read("ca.key"));
    }

    /// <summary>Issues a host certificate with a fresh X25519 key pair.</summary>
    public NebulaKeyPair Sign(NebulaKeyPair ca, string name, string ipCidr, IReadOnlyList<string> groups, TimeSpan duration)
    {
        using var dir = PrivateDirectory.Create();
        dir.Write("ca.crt", ca.CertificatePem);
        dir.Write("ca.key", ca.PrivateKeyPem);
        var args = new List<string>
        {
            "sign", "-ca-crt", "ca.crt", "-ca-key", "ca.key", "-name", name, "-ip", ipCidr,
            "-duration", GoDuration(duration), "-out-crt", "host.crt", "-out-key", "host.key",
        };
        if (groups.Count > 0) args.AddRange(["-groups", string.Join(',', groups)]);
        Run(dir.Path, args);
        return new NebulaKeyPair(dir.Read("host.crt"), dir.Read("host.key"));
    }

    public NebulaCertInfo Print(string certificatePem)
    {
        using var dir = PrivateDirectory.Create();
        dir.Write("cert.crt", certificatePem);
        var json = Run(dir.Path, ["print", "-json", "-path", "cert.crt"]);
        // A PEM bundle prints one JSON object per line; the first is the certificate asked about.
        var first = json.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        using var doc = JsonDocument.Parse(first);
        var root = doc.RootElement;
        var details = root.GetProperty("details");
        return new NebulaCertInfo(
            details.GetProperty("name").GetString() ?? "",
            root.GetProperty("fingerprint").GetString() ?? "",
            details.GetProperty("publicKey").GetString() ?? "",
            details.GetProperty("issuer").GetString() ?? "",
            details.GetProperty("isCa").GetBoolean(),
            [.. details.GetProperty("groups").EnumerateArray().Select(g => g.GetString() ?? "")],
            [.. details.GetProperty("ips").EnumerateArray().Select(g => g.GetString() ?? "")],
            DateTimeOffset.Parse(details.GetProperty("notBefore").GetString()!, CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(details.GetProperty("notAfter").GetString()!, CultureInfo.InvariantCulture));
    }

    private string Run(string workingDirectory, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new NebulaCertException($"could not start {Executable}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new NebulaCertException($"could not start {Executable} (install the Debian package 'nebula'): {e.Message}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new NebulaCertException($"{Executable} {args[0]} did not finish within {Timeout.TotalSeconds:0} s");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                // nebula-cert reports flags and constraint errors on stderr/stdout; it never prints key material.
                var why = (stderr.Result + " " + stdout.Result).Trim();
                if (why.Length > 400) why = why[..400];
                throw new NebulaCertException($"{Executable} {args[0]} failed (exit {process.ExitCode}): {why}");
            }
            return stdout.Result;
        }
    }

    /// <summary>The form nebula-cert's -duration flag takes: Go's units stop at hours, so whole seconds.</summary>
    private static string GoDuration(TimeSpan duration) => ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
}
