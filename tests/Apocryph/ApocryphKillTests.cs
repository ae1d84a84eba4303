using System.Diagnostics;
using ScyllaApocryph.Infra.Cli;
using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Providers.Wallet;
using ScyllaApocryph.Tests.Infra;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>
/// The command line killed (SIGKILL) after it paid for the pods and before it called ProvisionPod: the Kubo double
/// holds every p2p/forward, so the process waits exactly there. The next `up` must not pay again and must leave no pod
/// unpaid.
/// </summary>
public sealed class ApocryphKillTests : IDisposable
{
    private readonly string _project = Directory.CreateTempSubdirectory("apocryph-kill-").FullName;

    public void Dispose() => Directory.Delete(_project, true);

    [DevnetFact]
    public async Task A_kill_after_createChannel_and_before_ProvisionPod_then_up_pays_once_and_provisions_every_pod()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var root = StackConfigTests.RepositoryRoot();
        File.Copy(Path.Combine(root, "Pulumi.yaml"), Path.Combine(_project, "Pulumi.yaml"));
        File.WriteAllText(Path.Combine(_project, "Pulumi.apocryph-local.yaml"), File.ReadAllText(Path.Combine(root, "Pulumi.apocryph-local.yaml"))
            .Replace("http://127.0.0.1:8545", lab.Chain.RpcUrl)
            .Replace("http://127.0.0.1:15001", lab.Kubo.ApiUrl.ToString().TrimEnd('/')));
        var funds = System.Numerics.BigInteger.Parse("1000000000000000000", System.Globalization.CultureInfo.InvariantCulture);
        var payments = await PaymentChannels.ConnectAsync(lab.Chain.RpcUrl, WalletKey.FromHex(Devnet.PublisherKey), lab.Chain.Payment, default);

        lab.Kubo.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var victim = Start())
        {
            var victimOutput = victim.StandardOutput.ReadToEndAsync();
            var victimErrors = victim.StandardError.ReadToEndAsync();
            // Bounded wait: every pod paid and waiting for its forward (or the process ended, which fails below).
            for (var i = 0; i < 600 && lab.Kubo.HeldForwards < 3 && !victim.HasExited; i++) await Task.Delay(100);
            if (victim.HasExited)
                Assert.Fail($"up ended (exit {victim.ExitCode}) before every pod waited for its forward:\n{await victimOutput}{await victimErrors}");
            Assert.Equal(3, lab.Kubo.HeldForwards);
            victim.Kill(entireProcessTree: true);
            victim.WaitForExit(10_000);
        }
        Assert.Equal(Devnet.Minted - 3 * funds, await payments.TokenBalanceAsync(payments.Publisher)); // paid
        Assert.All(lab.Providers, p => Assert.Empty(p.Pods));                                        // not provisioned
        lab.Kubo.Hold.SetResult();
        lab.Kubo.Hold = null;
        await Task.Delay(200); // the killed forwards are answered to nobody

        using (var rerun = Start())
        {
            var output = rerun.StandardOutput.ReadToEndAsync();
            var errors = rerun.StandardError.ReadToEndAsync();
            Assert.True(rerun.WaitForExit(120_000), "the second up did not finish within 120 s");
            Assert.True(rerun.ExitCode == 0, await output + await errors);
        }
        Assert.Equal(Devnet.Minted - 3 * funds, await payments.TokenBalanceAsync(payments.Publisher)); // not paid twice
        foreach (var (p, i) in lab.Providers.Select((p, i) => (p, i)))
        {
            Assert.Single(p.Pods);
            var channel = await payments.ReadAsync(p.Address, ApocryphNames.PodId("scylla-apocryph", "apocryph-local", $"scylla-apocryph-local-{Devnet.ProviderNames[i]}-0"));
            Assert.Equal(funds, channel.Available); // every pod paid
        }
    }

    private Process Start()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _project };
        foreach (var a in new[] { CliProgram.Path, "up", "--stack", "apocryph-local", "--yes" }) start.ArgumentList.Add(a);
        start.Environment["PULUMI_CONFIG_PASSPHRASE"] = "kill test";
        start.Environment["APOCRYPH_WALLET_KEY"] = Devnet.PublisherKey;
        return Process.Start(start)!;
    }
}
