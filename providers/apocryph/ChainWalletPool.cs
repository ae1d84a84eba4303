using System.Collections.Concurrent;
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

    public Task<ChainWallet> GetAsync(string rpcUrl, WalletKey key) =>
        _wallets.GetOrAdd((rpcUrl, key.Address), _ => new Lazy<Task<ChainWallet>>(() => ChainWallet.ConnectAsync(rpcUrl, key))).Value;
}
