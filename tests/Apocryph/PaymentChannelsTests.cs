using System.Numerics;
using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>The payment side against a real chain (anvil) running this project's Payment and token contracts.</summary>
public sealed class PaymentChannelsTests
{
    private static readonly byte[] PodId = ApocryphNames.PodId("scylla-apocryph", "test", "demo-alpha-0");
    private static readonly string Provider = WalletKey.FromHex(Devnet.ProviderKeys[0]).Address;

    [DevnetFact]
    public async Task Funding_creates_the_channel_once_and_a_second_run_pays_nothing()
    {
        await using var chain = await Devnet.StartAsync();
        var payments = await PaymentChannels.ConnectAsync(chain.RpcUrl, WalletKey.FromHex(Devnet.PublisherKey), chain.Payment, default);

        var first = await payments.EnsureFundedAsync(Provider, PodId, 60, 1000);
        var sent = payments.TransactionsSent;
        var again = await payments.EnsureFundedAsync(Provider, PodId, 60, 1000);

        Assert.Equal(1000, first.Available);
        Assert.Equal(60, first.UnlockTime);
        Assert.Equal(2, sent); // approve + createChannel
        Assert.Equal(sent, payments.TransactionsSent);
        Assert.Equal(first, again);
        Assert.Equal(Devnet.Minted - 1000, await payments.TokenBalanceAsync(payments.Publisher));
    }

    [DevnetFact]
    public async Task Raising_the_funds_in_config_deposits_only_the_difference()
    {
        await using var chain = await Devnet.StartAsync();
        var payments = await PaymentChannels.ConnectAsync(chain.RpcUrl, WalletKey.FromHex(Devnet.PublisherKey), chain.Payment, default);

        await payments.EnsureFundedAsync(Provider, PodId, 60, 1000);
        var raised = await payments.EnsureFundedAsync(Provider, PodId, 60, 1500);

        Assert.Equal(1500, raised.Invested);
        Assert.Equal(Devnet.Minted - 1500, await payments.TokenBalanceAsync(payments.Publisher));
    }

    [DevnetFact]
    public async Task A_crash_after_any_step_then_a_rerun_leaves_exactly_one_funded_channel()
    {
        foreach (var crashAfter in new[] { "approve", "createChannel" })
        {
            await using var chain = await Devnet.StartAsync();
            var key = WalletKey.FromHex(Devnet.PublisherKey);
            var crashed = await PaymentChannels.ConnectAsync(chain.RpcUrl, key, chain.Payment, default);
            await Assert.ThrowsAsync<SimulatedCrash>(() => crashed.EnsureFundedAsync(Provider, PodId, 60, 1000,
                step => step == crashAfter ? throw new SimulatedCrash() : Task.CompletedTask));

            // A new process: a fresh client, nothing carried over but the chain.
            var rerun = await PaymentChannels.ConnectAsync(chain.RpcUrl, key, chain.Payment, default);
            var channel = await rerun.EnsureFundedAsync(Provider, PodId, 60, 1000);

            Assert.Equal(1000, channel.Invested);
            Assert.Equal(Devnet.Minted - 1000, await rerun.TokenBalanceAsync(rerun.Publisher));
            Assert.Equal(crashAfter == "approve" ? 1 : 0, rerun.TransactionsSent); // only the missing createChannel
        }
    }

    [DevnetFact]
    public async Task Release_unlocks_then_returns_the_money_once_the_unlock_time_has_passed()
    {
        await using var chain = await Devnet.StartAsync();
        var payments = await PaymentChannels.ConnectAsync(chain.RpcUrl, WalletKey.FromHex(Devnet.PublisherKey), chain.Payment, default);
        await payments.EnsureFundedAsync(Provider, PodId, 3600, 1000);

        var locked = await payments.ReleaseAsync(Provider, PodId);
        Assert.True(locked.Exists);
        Assert.True(locked.Unlocking);
        Assert.Equal(await payments.ChainTimeAsync() + 3600, locked.UnlockedAt); // unlock was the last block
        Assert.Equal(Devnet.Minted - 1000, await payments.TokenBalanceAsync(payments.Publisher));

        await chain.AdvanceTimeAsync(3601);
        var released = await payments.ReleaseAsync(Provider, PodId);

        Assert.False(released.Exists);
        Assert.Equal(Devnet.Minted, await payments.TokenBalanceAsync(payments.Publisher));
    }

    [DevnetFact]
    public async Task Pods_funded_at_once_from_one_wallet_all_get_their_channel()
    {
        await using var chain = await Devnet.StartAsync();
        var payments = await PaymentChannels.ConnectAsync(chain.RpcUrl, WalletKey.FromHex(Devnet.PublisherKey), chain.Payment, default);
        var pods = Enumerable.Range(0, 8).Select(i => ApocryphNames.PodId("p", "s", $"slot-{i}")).ToList();

        var channels = await Task.WhenAll(pods.Select(p => payments.EnsureFundedAsync(Provider, p, 60, 100)));

        Assert.All(channels, c => Assert.Equal(100, c.Available));
        Assert.Equal(Devnet.Minted - 800, await payments.TokenBalanceAsync(payments.Publisher));
    }

    [DevnetFact]
    public async Task A_reverted_call_does_not_block_the_wallets_next_transactions()
    {
        await using var chain = await Devnet.StartAsync();
        var payments = await PaymentChannels.ConnectAsync(chain.RpcUrl, WalletKey.FromHex(Devnet.PublisherKey), chain.Payment, default);
        await payments.EnsureFundedAsync(Provider, PodId, 3600, 100);

        // closeChannel before the unlock time reverts (ChannelLocked) when it is estimated: the send fails.
        await payments.ReleaseAsync(Provider, PodId);
        await Assert.ThrowsAnyAsync<Exception>(() => payments.CloseForTestAsync(Provider, PodId));
        var next = await payments.EnsureFundedAsync(Provider, ApocryphNames.PodId("p", "s", "next"), 60, 100);

        Assert.Equal(100, next.Available);
    }

    private sealed class SimulatedCrash : Exception;

    [DevnetFact]
    public async Task Pods_funded_in_one_run_share_one_approve_and_read_the_chain_once_each()
    {
        const int pods = 5;
        await using var chain = await Devnet.StartAsync();
        await using var counter = new Tests.Doubles.RpcFaultProxy(chain.RpcUrl, _ => Tests.Doubles.RpcFault.None);
        var pool = new ChainWalletPool();
        pool.ExpectSpend(counter.Url, "KEY_ENV", 10 * pods);
        var payments = await PaymentChannels.ConnectAsync(await pool.GetAsync(counter.Url, WalletKey.FromHex(Devnet.PublisherKey), "KEY_ENV"), chain.Payment, default);
        var before = counter.Calls.GetValueOrDefault("eth_call");

        // One after another, so no approve can cover a later pod by chance of timing.
        var funded = new List<ChannelState>();
        for (var i = 0; i < pods; i++) funded.Add(await payments.EnsureFundedAsync(Provider, ApocryphNames.PodId("p", "s", $"slot-{i}"), 60, 10));

        Assert.Equal(pods + 1, payments.TransactionsSent); // one approve, then a createChannel each
        Assert.Equal(pods + 1, counter.Calls.GetValueOrDefault("eth_call") - before); // a channel read each, one allowance read
        for (var i = 0; i < pods; i++) Assert.Equal(await payments.ReadAsync(Provider, ApocryphNames.PodId("p", "s", $"slot-{i}")), funded[i]);
        Assert.Equal(Devnet.Minted - 10 * pods, await payments.TokenBalanceAsync(payments.Publisher));
    }
}
