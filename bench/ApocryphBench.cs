using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Providers.Wallet;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Bench;

/// <summary>
/// Time to deploy 3 and 30 Apocryph pods (pay + provision, one provider each, through the Kubo forward) on the local
/// Apocryph: a fresh anvil per case with this project's contracts, provider doubles, a Kubo double. Pods are created
/// at most 16 at a time, as the engine's default parallelism; one wallet pays for all of them.
/// </summary>
public sealed class ApocryphBench : IBenchmark
{
    private const string PublisherKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"; // anvil's development account 0
    private const int Parallelism = 16;

    public string Name => "apocryph";

    public string Description => "deploy 3 and 30 pods to the local Apocryph (anvil + provider doubles): wall time and transactions per pod";

    public async Task RunAsync(string[] args)
    {
        var devnet = FindDevnet();
        if (devnet is null)
        {
            Console.WriteLine("apocryph: skipped (tests/devnet is not set up; run scripts/setup.sh)");
            return;
        }
        await RunCaseAsync(devnet, 3, null); // warm-up: JIT, first connections
        // Automine (a block per transaction, the chain as fast as anvil answers), then one block a second, as a real
        // chain mines on a clock: there, waiting for blocks dominates and concurrent pods share them.
        foreach (var blockTime in new int?[] { null, 1 })
        {
            var mode = blockTime is null ? "automine" : $"{blockTime} s blocks";
            var three = await RunCaseAsync(devnet, 3, blockTime);
            var thirty = await RunCaseAsync(devnet, 30, blockTime);
            foreach (var (n, r) in new[] { (3, three), (30, thirty) })
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"apocryph ({mode}): {n,2} pods {r.Elapsed.TotalSeconds,6:F2} s, {r.TxPerPod:F2} tx/pod, {r.RpcPerPod:F1} publisher RPC calls/pod ({r.RpcByMethod})"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"apocryph ({mode}): 30 pods take {thirty.Elapsed / three.Elapsed:F1}x the time of 3 (goal: at most 3x)"));
        }
    }

    private static async Task<(TimeSpan Elapsed, double TxPerPod, double RpcPerPod, string RpcByMethod)> RunCaseAsync(string devnet, int pods, int? blockTime)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Path.Combine(devnet, "node_modules", ".bin", "anvil")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--chain-id", "31337", "--silent" }) start.ArgumentList.Add(a);
        if (blockTime is { } seconds)
        {
            start.ArgumentList.Add("--block-time");
            start.ArgumentList.Add(seconds.ToString(CultureInfo.InvariantCulture));
        }
        using var anvil = Process.Start(start)!;
        var manifests = Directory.CreateTempSubdirectory("bench-apocryph-").FullName;
        var keyEnv = "BENCH_APOCRYPH_KEY";
        Environment.SetEnvironmentVariable(keyEnv, PublisherKey);
        var providers = new List<ApocryphProviderDouble>();
        try
        {
            var rpc = $"http://127.0.0.1:{port}";
            var web3 = new Web3(new Account(PublisherKey, 31337), rpc);
            for (var i = 0; ; i++)
            {
                try
                {
                    await web3.Eth.ChainId.SendRequestAsync();
                    break;
                }
                catch (Exception) when (i < 100)
                {
                    await Task.Delay(100);
                }
            }
            var (_, payment) = await DevnetContracts.DeployAsync(web3, Path.Combine(devnet, "build", "contracts.json"), BigInteger.Pow(10, 24));
            await using var kubo = new KuboApiDouble();
            for (var i = 0; i < pods; i++)
            {
                var address = WalletKey.FromHex(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i + 1)))).Address;
                var p = new ApocryphProviderDouble($"p{i}", address, $"12D3KooWBench{i}", rpc, payment, manifests, TimeProvider.System, kubo.ApiUrl);
                kubo.AddPeer(p.PeerId, ApocryphNames.ProvisionProtocol, p.Port);
                providers.Add(p);
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            // The publisher's JSON-RPC goes through a counting proxy (no faults): its calls per pod are a figure too.
            await using var counter = new RpcFaultProxy(rpc, _ => RpcFault.None);
            // As the program does (StackProgram): the run knows what its pods may pay before the first one pays.
            var wallets = new ChainWalletPool();
            wallets.ExpectSpend(new Uri(counter.Url).ToString(), keyEnv, 1000 * pods);
            var provider = new ApocryphPodProvider(new ApocryphSettings(new Uri(counter.Url), payment, keyEnv, kubo.ApiUrl), http, TimeProvider.System, wallets);
            using var gate = new SemaphoreSlim(Parallelism);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(providers.Select(async (p, i) =>
            {
                await gate.WaitAsync();
                try
                {
                    var urn = Urn.Create("bench", "scylla-apocryph", "scylla:index:Node", "apocryph:index:Pod", $"{p.Name}/node-{i}");
                    await provider.CreateAsync(new CreateRequest(urn, "apocryph:index:Pod", Inputs(p, $"node-{i}")), CancellationToken.None);
                }
                finally
                {
                    gate.Release();
                }
            }));
            clock.Stop();
            if (providers.Sum(p => p.Pods.Count) != pods) throw new InvalidOperationException("not every pod was provisioned");
            return (clock.Elapsed, (double)await provider.TransactionsSentAsync() / pods, (double)counter.Calls.Values.Sum() / pods,
                string.Join(", ", counter.Calls.OrderByDescending(c => c.Value).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {(double)c.Value / pods:F1}"))));
        }
        finally
        {
            foreach (var p in providers) await p.DisposeAsync();
            Environment.SetEnvironmentVariable(keyEnv, null);
            anvil.Kill(true);
            anvil.WaitForExit(10_000);
            Directory.Delete(manifests, true);
        }
    }

    private static PropertyMap Inputs(ApocryphProviderDouble p, string slot) => PropertyMap.Of(
        ("slot", slot), ("publicHost", "127.0.0.1"), ("providerAddress", p.Address), ("providerId", p.PeerId), ("providerUrl", ""),
        ("funds", "1000"), ("unlockSeconds", "0"),
        ("manifest", PropertyValue.Secret("""
            {"containers":[{"name":"scylla","image":{"url":"scylladb/scylla:2025.1.4"},
              "ports":[{"name":"internode-tls","containerPort":"30701","hostTcpPort":"30701"},{"name":"cql-tls","containerPort":"30942","hostTcpPort":"30942"}]}],
             "volumes":[{"name":"cfg","type":"VOLUME_SECRET","secret":{"contents":"Y2x1c3Rlcl9uYW1lOiBiZW5jaAo="}}],"replicas":{"min":1,"max":1}}
            """)));

    private static string? FindDevnet()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "devnet");
            if (File.Exists(Path.Combine(candidate, "build", "contracts.json")) && File.Exists(Path.Combine(candidate, "node_modules", ".bin", "anvil"))) return candidate;
        }
        return null;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
