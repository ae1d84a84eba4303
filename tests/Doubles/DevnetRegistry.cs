using System.Text.Json;
using Google.Protobuf;
using Nethereum.Hex.HexTypes;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using ScyllaApocryph.Providers.Apocryph.Registry;
using ScyllaApocryph.Providers.Apocryph.Registry.Proto;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>What one provider double offers in the local Registry: its profile's host, peer and region, and one pricing table.</summary>
public sealed record DevnetOffer(string ProviderKey, string PeerId, string Host, string Region, ResourcePrices Prices, string CpuModel, string TeeType);

/// <summary>
/// The local Apocryph's Registry: deploys this project's Registry contract (tests/devnet/contracts/Registry.sol) and
/// registers providers the way upstream's provider does (cmd/tpodserver/registry.go `registry register`, 4bbf371):
/// the profile (a protobuf HostInfo with its multiaddrs, "/p2p/&lt;peer id&gt;" appended, and its regions) is added to
/// IPFS, its CID registered with registerProvider, then each pricing table registered with registerPricingTable,
/// which subscribes the provider to it. Shared by the tests and the devnet host.
/// </summary>
public static class DevnetRegistry
{
    /// <summary>
    /// The three offers of scripts/apocryph-devnet.sh (anvil's development accounts 1-3, peers as in
    /// Pulumi.apocryph-local.yaml), priced per resource unit and second: gamma is the cheapest, then beta, then alpha.
    /// </summary>
    public static IReadOnlyList<DevnetOffer> StandardOffers(IReadOnlyList<string> providerKeys, IReadOnlyList<string> peerIds) =>
    [
        new(providerKeys[0], peerIds[0], "127.0.0.1", "devnet-east-1", new ResourcePrices(3000, 2, 1, 5, 5), "AMD EPYC 9654", "AMD SEV-SNP"),
        new(providerKeys[1], peerIds[1], "127.0.0.1", "devnet-east-1", new ResourcePrices(2000, 2, 1, 5, 5), "Intel Xeon Platinum 8452Y", "Intel TDX"),
        new(providerKeys[2], peerIds[2], "127.0.0.1", "devnet-west-1", new ResourcePrices(1000, 2, 1, 5, 5), "AMD EPYC 9654", "AMD SEV-SNP"),
    ];

    /// <summary>Deploys the Registry from the web3 account (on a fresh devnet, its nonce 3: after token, Payment and the mint).</summary>
    public static async Task<string> DeployAsync(Web3 web3, string contractsJson)
    {
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(contractsJson));
        var registry = doc.RootElement.GetProperty("Registry");
        var receipt = await web3.Eth.DeployContract.SendRequestAndWaitForReceiptAsync(
            registry.GetProperty("abi").GetRawText(), registry.GetProperty("bytecode").GetString()!,
            web3.TransactionManager.Account.Address, new HexBigInteger(3_000_000), null);
        return receipt.ContractAddress;
    }

    /// <summary>The profile a provider uploads, as tpodserver builds it.</summary>
    public static byte[] Profile(DevnetOffer offer)
    {
        var parts = offer.Region.Split('-');
        var info = new HostInfo { Multiaddrs = { $"/ip4/{offer.Host}/tcp/4001", $"/p2p/{offer.PeerId}" } };
        info.Regions.Add(new HostInfo.Types.Region { Name = parts[0], Zone = parts[1], Num = uint.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) });
        return info.ToByteArray();
    }

    /// <summary>Adds each profile to IPFS (the Kubo double) and, unless <paramref name="onChain"/> is false, registers it with its table.</summary>
    public static async Task RegisterAsync(string rpcUrl, string registry, string token, KuboApiDouble ipfs, IEnumerable<DevnetOffer> offers, bool onChain = true)
    {
        foreach (var offer in offers)
        {
            var cid = ipfs.AddFile(Profile(offer));
            if (!onChain) continue;
            var web3 = new Web3(new Account(offer.ProviderKey, 31337), rpcUrl);
            await Send(web3, registry, new RegisterProviderFunction { Cid = cid });
            await Send(web3, registry, new RegisterPricingTableFunction
            {
                Token = token, Prices = [.. offer.Prices.InContractOrder], CpuModel = offer.CpuModel, TeeType = offer.TeeType,
            });
        }
    }

    public static async Task Send<T>(Web3 web3, string contract, T message) where T : Nethereum.Contracts.FunctionMessage, new()
    {
        message.Gas = 500_000;
        var receipt = await web3.Eth.GetContractTransactionHandler<T>().SendRequestAndWaitForReceiptAsync(contract, message);
        if (receipt.Status.Value != 1) throw new InvalidOperationException($"{typeof(T).Name} reverted");
    }
}
