using System.Collections.Concurrent;
using Nethereum.RPC.NonceServices;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// One wallet on one chain: the Nethereum account, its nonce service, and the lock that keeps an ERC-20 approve
/// together with the transfer that spends it. Every sender of this address on this chain in one process must share
/// it, or two of them hand out the same nonce (found by the apocryph-local stack: one wallet, three providers).
/// </summary>
public sealed class ChainWallet
{
    private static readonly ConcurrentDictionary<(string Rpc, string Address), Lazy<Task<ChainWallet>>> Shared = new();

    private ChainWallet(Web3 web3, Account account)
    {
        Web3 = web3;
        Account = account;
    }

    internal Web3 Web3 { get; }
    internal Account Account { get; }
    internal SemaphoreSlim ApproveAndSpend { get; } = new(1, 1);
    public string Address => Account.Address;

    /// <summary>A wallet of its own (tests use one per simulated process).</summary>
    public static async Task<ChainWallet> ConnectAsync(string rpcUrl, WalletKey key)
    {
        var chainId = (await new Web3(rpcUrl).Eth.ChainId.SendRequestAsync()).Value;
        var account = new Account(key.EthKey, chainId);
        var web3 = new Web3(account, rpcUrl);
        account.NonceService = new InMemoryNonceService(account.Address, web3.Client);
        web3.TransactionManager.UseLegacyAsDefault = false;
        return new ChainWallet(web3, account);
    }

    /// <summary>The process's one wallet for this key on this chain.</summary>
    public static Task<ChainWallet> SharedAsync(string rpcUrl, WalletKey key) =>
        Shared.GetOrAdd((rpcUrl, key.Address), _ => new Lazy<Task<ChainWallet>>(() => ConnectAsync(rpcUrl, key))).Value;
}
