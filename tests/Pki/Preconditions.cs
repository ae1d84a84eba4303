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

    public static string? NetnsMissing =>
        !Root.Value ? "network namespace tests need root"
        : !NebulaCert.Value || !Nebula.Value ? "nebula / nebula-cert are not installed (run scripts/setup.sh)"
        : !IpRoute.Value ? "iproute2 (ip) is not installed"
        : !Python.Value ? "python3 is needed for the TCP listeners"
        : !Tun.Value ? "/dev/net/tun is missing"
        : null;

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
