using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Text.Json;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>
/// A real local chain for a test: anvil (npm @foundry-rs/anvil) on a free loopback port, chain id 31337, with this
/// project's TestToken and Payment (tests/devnet/contracts, compiled by tests/devnet/compile.mjs) deployed and the
/// publisher funded. Disposing kills the anvil process it started.
/// </summary>
public sealed class Devnet : IAsyncDisposable
{
    // anvil's well-known development accounts 0 (publisher) and 1..3 (providers): public test keys, never real wallets.
    public const string PublisherKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    public static readonly string[] ProviderKeys =
    [
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    ];
    // The names and peer ids Pulumi.apocryph-local.yaml gives the three providers.
    public static readonly string[] ProviderNames = ["alpha", "beta", "gamma"];
    public static readonly string[] ProviderPeerIds = ["12D3KooWDevnetProviderAlpha", "12D3KooWDevnetProviderBeta", "12D3KooWDevnetProviderGamma"];
    public static readonly BigInteger Minted = BigInteger.Pow(10, 24);

    private readonly Process _anvil;

    private Devnet(Process anvil, string rpcUrl, string token, string payment)
    {
        _anvil = anvil;
        RpcUrl = rpcUrl;
        Token = token;
        Payment = payment;
    }

    public string RpcUrl { get; }
    public string Token { get; }
    public string Payment { get; }

    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "devnet");
                if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
            }
            return Path.Combine(AppContext.BaseDirectory, "devnet-not-found");
        }
    }

    private static string Anvil => Path.Combine(Directory, "node_modules", ".bin", "anvil");
    private static string Contracts => Path.Combine(Directory, "build", "contracts.json");

    public static string? Missing =>
        !File.Exists(Anvil) ? $"anvil is not installed in {Directory} (run scripts/setup.sh)"
        : !File.Exists(Contracts) ? $"the test contracts are not compiled ({Contracts}; run scripts/setup.sh)"
        : null;

    public static async Task<Devnet> StartAsync()
    {
        if (Missing is { } why) throw new InvalidOperationException(why);
        // A free port can be taken between the probe and anvil's bind (tests run in parallel): then anvil exits,
        // and another anvil may even answer on that port. Only a chain our own process serves counts.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var start = new ProcessStartInfo(Anvil) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--chain-id", "31337", "--silent" })
                start.ArgumentList.Add(a);
            var anvil = Process.Start(start)!;
            var rpc = $"http://127.0.0.1:{port}";
            try
            {
                var web3 = new Web3(new Account(PublisherKey, 31337), rpc);
                for (var i = 0; !anvil.HasExited; i++) // anvil answers within a second or two; bounded wait
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
                if (anvil.HasExited)
                {
                    if (attempt < 3) continue;
                    throw new InvalidOperationException($"anvil exited at start: {await anvil.StandardError.ReadToEndAsync()}");
                }
                var (token, payment) = await DevnetContracts.DeployAsync(web3, Contracts, Minted);
                if (anvil.HasExited) throw new InvalidOperationException("anvil exited while the contracts were deployed");
                return new Devnet(anvil, rpc, token, payment);
            }
            catch
            {
                if (!anvil.HasExited) anvil.Kill(true);
                anvil.Dispose();
                throw;
            }
        }
    }

    /// <summary>Moves the chain's clock forward and mines a block (anvil's evm_increaseTime + evm_mine).</summary>
    public async Task AdvanceTimeAsync(long seconds)
    {
        var web3 = new Web3(RpcUrl);
        await web3.Client.SendRequestAsync<object>("evm_increaseTime", null, seconds);
        await web3.Client.SendRequestAsync<object>("evm_mine");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        if (!_anvil.HasExited) _anvil.Kill(true);
        _anvil.WaitForExit(10_000);
        _anvil.Dispose();
        return ValueTask.CompletedTask;
    }
}
