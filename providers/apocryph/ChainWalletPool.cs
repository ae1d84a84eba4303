using System.Collections.Concurrent;
using System.Numerics;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// The wallets of one run: every Apocryph provider entry of a stack that pays from the same key on the same chain
/// gets the same <see cref="ChainWallet"/>, so one nonce sequence and one allowance lock serve them all. A pool lives
/// as long as the run (not the process), so a chain restarted at the same URL never meets a stale nonce.
/// </summary>
public sealed class ChainWalletPool
{
    private readonly ConcurrentDictionary<(string Rpc, string Address), Lazy<Task<ChainWallet>>> _wallets = new();
    private readonly ConcurrentDictionary<(string Rpc, string KeyEnv), BigInteger> _expected = new();

    /// <summary>
    /// A pod of this run may pay <paramref name="amount"/> from the key in <paramref name="keyEnv"/> on this chain. Known
    /// before the first payment, the sum lets the first ERC-20 approve cover every pod instead of one approve each.
    /// An allowance left over (pods that were already paid) can only be spent by this wallet's own Payment calls.
    /// </summary>
    public void ExpectSpend(string rpcUrl, string keyEnv, BigInteger amount) =>
        _expected.AddOrUpdate((rpcUrl, keyEnv), amount, (_, sum) => sum + amount);

    public Task<ChainWallet> GetAsync(string rpcUrl, WalletKey key, string? keyEnv = null) =>
        _wallets.GetOrAdd((rpcUrl, key.Address), _ => new Lazy<Task<ChainWallet>>(() =>
            ChainWallet.ConnectAsync(rpcUrl, key, keyEnv is null ? 0 : _expected.GetValueOrDefault((rpcUrl, keyEnv))))).Value;
}
