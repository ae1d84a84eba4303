using System.Diagnostics;

namespace ScyllaApocryph.Tests.Pki;

/// <summary>What the machine offers; each answer is computed once per test run.</summary>
public static class Preconditions
{
    private static readonly Lazy<bool> Root = new(() => !OperatingSystem.IsWindows() && Environment.UserName == "root" && Run("id", "-u") == "0");
    private static readonly Lazy<bool> NebulaCert = new(() => Run("nebula-cert", "-version") is not null);
    private static readonly Lazy<bool> Nebula = new(() => Run("nebula", "-version") is not null);
    private static readonly Lazy<bool> IpRoute = new(() => Run("ip", "-V") is not null);
    private static readonly Lazy<bool> Python = new(() => Run("python3", "--version") is not null);
    private static readonly Lazy<bool> Tun = new(() => File.Exists("/dev/net/tun"));
    private static readonly Lazy<bool> Ethers = new(() =>
        Run("node", "--version") is not null && Directory.Exists(Path.Combine(JsDirectory, "node_modules", "ethers")));

    /// <summary>tests/js in the source tree (tests run from tests/bin/...).</summary>
    public static string JsDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "js");
                if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
            }
            return Path.Combine(AppContext.BaseDirectory, "js-not-found");
        }
    }

    /// <summary>Null when nebula-cert can run, else why not.</summary>
    public static string? NebulaCertMissing => NebulaCert.Value ? null : "nebula-cert is not installed (run scripts/setup.sh)";

    /// <summary>Why the network namespace tests skip: only for want of root. Null when they run.</summary>
    public static string? NetnsSkip => Netns(Root.Value, []).Skip;

    /// <summary>
    /// Throws when running as root without what the namespace tests need: as root they are meant to run, so a
    /// missing tool is a failure with its remedy, not a silent skip.
    /// </summary>
    public static void RequireNetns()
    {
        var missing = new List<string>();
        if (!NebulaCert.Value || !Nebula.Value) missing.Add("nebula and nebula-cert (Debian package nebula)");
        if (!IpRoute.Value) missing.Add("ip (Debian package iproute2)");
        if (!Python.Value) missing.Add("python3 (for the TCP listeners)");
        if (!Tun.Value) missing.Add("/dev/net/tun (a TUN device for nebula)");
        if (Netns(Root.Value, missing).Failure is { } failure) throw new InvalidOperationException(failure);
    }

    /// <summary>The rule: skip (with the reason) where not root; as root, fail on anything missing.</summary>
    internal static (string? Skip, string? Failure) Netns(bool root, IReadOnlyList<string> missing) =>
        !root ? ("network namespace tests need root (they create namespaces and TUN devices)", null)
        : missing.Count > 0 ? (null, $"running as root, so the network namespace tests run, but they are missing: {string.Join("; ", missing)}. Run scripts/setup.sh")
        : (null, null);

    public static string? EthersMissing => Ethers.Value ? null : $"node or the ethers package is missing in {JsDirectory} (run scripts/setup.sh)";

    private static string? Run(string file, string args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            if (!p.WaitForExit(10_000)) { p.Kill(true); return null; }
            return p.ExitCode == 0 ? output.Trim() : null;
        }
        catch (Exception)
        {
            return null;
        }
    }
}
