using System.Numerics;
using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Providers.Wallet;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>
/// One wallet funds many pods at once while a raw transaction fails after its nonce was taken. A skipped nonce
/// leaves every later transaction waiting in the chain's pool (a run that never ends); a reused one is refused as
/// "nonce too low". Either way some pod stays unpaid, so these tests fund, then replay the funding, and check that
/// everything finished in bounded time and the chain received every nonce once, in an unbroken run.
/// </summary>
public sealed class NonceRecoveryTests
{
    private const int Pods = 8;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60); // a hang bound, not a speed check

    [DevnetFact]
    public Task A_raw_transaction_the_RPC_dropped_neither_stalls_the_others_nor_is_its_nonce_skipped() => Run(RpcFault.Drop);

    [DevnetFact]
    public Task A_raw_transaction_whose_answer_was_lost_is_not_sent_again_under_a_reused_nonce() => Run(RpcFault.LoseAnswer);

    /// <summary>Waits at most <see cref="Bound"/>; a hang fails with what the chain received, to say which nonce it waits on.</summary>
    private static async Task<T> Bounded<T>(RpcFaultProxy proxy, Task<T> task)
    {
        try
        {
            return await task.WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"still waiting after {Bound}: nonces the chain received {string.Join(",", proxy.ForwardedNonces)}; " +
                $"calls {string.Join(", ", proxy.Calls.Select(c => $"{c.Key} {c.Value}"))}");
        }
    }

    private static async Task Bounded(RpcFaultProxy proxy, Task task) => await Bounded(proxy, Completed(task));

    private static async Task<bool> Completed(Task task)
    {
        await task;
        return true;
    }

    private static async Task Run(RpcFault fault)
    {
        foreach (var failing in new[] { 1, 4 })
        {
            await using var chain = await Devnet.StartAsync();
            await using var proxy = new RpcFaultProxy(chain.RpcUrl, n => n == failing ? fault : RpcFault.None);
            var wallet = await ChainWallet.ConnectAsync(proxy.Url, WalletKey.FromHex(Devnet.PublisherKey));
            var payments = await PaymentChannels.ConnectAsync(wallet, chain.Payment, default);
            var provider = WalletKey.FromHex(Devnet.ProviderKeys[0]).Address;
            byte[] Pod(int i) => ApocryphNames.PodId("p", "s", $"slot-{i}");

            var first = await Bounded(proxy, Task.WhenAll(Enumerable.Range(0, Pods).Select(async i =>
            {
                try
                {
                    await payments.EnsureFundedAsync(provider, Pod(i), 0, 10);
                    return null;
                }
                catch (Exception e)
                {
                    return e;
                }
            })));
            // A dropped transaction fails its own pod only; a lost answer fails none (the chain has the transaction).
            var failures = first.OfType<Exception>().ToList();
            Assert.True(failures.Count == (fault == RpcFault.Drop ? 1 : 0), string.Join("\n", failures));
            Assert.DoesNotContain(failures, e => e.Message.Contains("nonce too low", StringComparison.OrdinalIgnoreCase));

            // The next up: whatever is still unpaid gets paid, with no error.
            await Bounded(proxy, Task.WhenAll(Enumerable.Range(0, Pods).Select(i => payments.EnsureFundedAsync(provider, Pod(i), 0, 10))));

            foreach (var i in Enumerable.Range(0, Pods)) Assert.Equal(10, (await payments.ReadAsync(provider, Pod(i))).Invested);
            var nonces = proxy.ForwardedNonces;
            Assert.Equal(nonces.Count, nonces.Distinct().Count()); // no nonce reached the chain twice
            Assert.Equal(Enumerable.Range((int)nonces.Min(), nonces.Count).Select(n => (long)n), nonces.Order()); // none skipped
            var mined = await new Nethereum.Web3.Web3(chain.RpcUrl).Eth.Transactions.GetTransactionCount.SendRequestAsync(payments.Publisher);
            Assert.Equal(nonces.Max() + 1, (long)mined.Value); // and every one was mined
            Assert.Equal(Devnet.Minted - 10 * Pods, await payments.TokenBalanceAsync(payments.Publisher));
        }
    }
}
