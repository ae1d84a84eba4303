using System.Numerics;
using Nethereum.Contracts;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using ScyllaApocryph.Providers.Apocryph.Registry;
using ScyllaApocryph.Providers.Wallet;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>
/// This project's Registry contract against upstream's behaviour (comrade-coop/apocryph 4bbf371,
/// contracts/src/Registry.sol and contracts/test/Registry.t.sol), on anvil, read back the way the publisher reads it.
/// </summary>
public sealed class RegistryContractTests
{
    private static Web3 As(Devnet chain, string key) => new(new Account(key, 31337), chain.RpcUrl);

    private static async Task<string> RevertReason<T>(Web3 web3, string contract, T message) where T : FunctionMessage, new()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => web3.Eth.GetContractTransactionHandler<T>().SendRequestAndWaitForReceiptAsync(contract, message));
        return e.Message;
    }

    [DevnetFact]
    public async Task Pricing_tables_are_numbered_from_one_announced_with_their_prices_and_subscribe_their_provider()
    {
        await using var chain = await Devnet.StartAsync();
        var registry = await DevnetRegistry.DeployAsync(As(chain, Devnet.PublisherKey), RegistryLab.ContractsJson);
        var provider = As(chain, Devnet.ProviderKeys[0]);
        await DevnetRegistry.Send(provider, registry, new RegisterProviderFunction { Cid = "QmWjoiG9mSxprZ18eKam9SsMrxehNNRXeBz6ehYj3wy74y" });
        await DevnetRegistry.Send(provider, registry, new RegisterPricingTableFunction
        {
            Token = chain.Token, Prices = [10, 20, 30, 40, 50], CpuModel = "Intel Xeon Platinum 8452Y Processor", TeeType = "Secure Enclave",
        });
        await DevnetRegistry.Send(provider, registry, new RegisterPricingTableFunction { Token = chain.Payment, Prices = [1, 1, 1, 1, 1] }); // another token

        var market = new RegistryMarket(new Web3(chain.RpcUrl), new HttpClient(), new Uri("http://127.0.0.1:9/"));
        var table = Assert.Single(await market.TablesAsync(registry, chain.Token));

        Assert.Equal(new PricingTable(1, table.Token, new ResourcePrices(10, 20, 30, 40, 50), "Intel Xeon Platinum 8452Y Processor", "Secure Enclave"), table);
        Assert.Equal(chain.Token, table.Token, StringComparer.OrdinalIgnoreCase);
        Assert.Equal([WalletKey.FromHex(Devnet.ProviderKeys[0]).Address], await market.SubscribersAsync(registry, 1), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(new BigInteger(2), await new Web3(chain.RpcUrl).Eth.GetContractQueryHandler<PricingTableIdFunction>().QueryAsync<BigInteger>(registry, new PricingTableIdFunction()));
    }

    [DevnetFact]
    public async Task Only_a_registered_provider_may_add_or_join_a_table_and_an_empty_cid_is_refused()
    {
        await using var chain = await Devnet.StartAsync();
        var registry = await DevnetRegistry.DeployAsync(As(chain, Devnet.PublisherKey), RegistryLab.ContractsJson);
        var stranger = As(chain, Devnet.ProviderKeys[1]);

        Assert.Contains("Provider Must be registered", await RevertReason(stranger, registry, new RegisterPricingTableFunction { Token = chain.Token, Prices = [1, 1, 1, 1, 1] }));
        Assert.Contains("Provider Must be registered", await RevertReason(stranger, registry, new SubscribeFunction { TableId = 1 }));
        Assert.Contains("Provider Must be registered", await RevertReason(stranger, registry, new UnsubscribeFunction { TableId = 1 }));
        Assert.Contains("cid must not be empty", await RevertReason(stranger, registry, new RegisterProviderFunction { Cid = "" }));
    }

    [DevnetFact]
    public async Task An_unsubscribed_provider_is_no_longer_a_subscriber_though_its_Subscribed_event_stays()
    {
        await using var chain = await Devnet.StartAsync();
        var registry = await DevnetRegistry.DeployAsync(As(chain, Devnet.PublisherKey), RegistryLab.ContractsJson);
        var first = As(chain, Devnet.ProviderKeys[0]);
        var second = As(chain, Devnet.ProviderKeys[1]);
        foreach (var p in new[] { first, second }) await DevnetRegistry.Send(p, registry, new RegisterProviderFunction { Cid = "QmProfile" });
        await DevnetRegistry.Send(first, registry, new RegisterPricingTableFunction { Token = chain.Token, Prices = [1, 1, 1, 1, 1] });
        await DevnetRegistry.Send(second, registry, new SubscribeFunction { TableId = 1 });
        var market = new RegistryMarket(new Web3(chain.RpcUrl), new HttpClient(), new Uri("http://127.0.0.1:9/"));
        Assert.Equal(2, (await market.SubscribersAsync(registry, 1)).Count);

        await DevnetRegistry.Send(first, registry, new UnsubscribeFunction { TableId = 1 });

        Assert.Equal([WalletKey.FromHex(Devnet.ProviderKeys[1]).Address], await market.SubscribersAsync(registry, 1), StringComparer.OrdinalIgnoreCase);
    }

    [DevnetFact]
    public async Task A_second_registration_replaces_the_profile_cid()
    {
        await using var chain = await Devnet.StartAsync();
        var registry = await DevnetRegistry.DeployAsync(As(chain, Devnet.PublisherKey), RegistryLab.ContractsJson);
        var provider = As(chain, Devnet.ProviderKeys[0]);
        await DevnetRegistry.Send(provider, registry, new RegisterProviderFunction { Cid = "QmFirst" });
        await DevnetRegistry.Send(provider, registry, new RegisterProviderFunction { Cid = "QmSecond" });

        var cid = await new Web3(chain.RpcUrl).Eth.GetContractQueryHandler<ProvidersFunction>()
            .QueryAsync<string>(registry, new ProvidersFunction { Provider = WalletKey.FromHex(Devnet.ProviderKeys[0]).Address });

        Assert.Equal("QmSecond", cid);
    }

    [Nethereum.ABI.FunctionEncoding.Attributes.Function("pricingTableId", "uint256")]
    private sealed class PricingTableIdFunction : FunctionMessage;
}
