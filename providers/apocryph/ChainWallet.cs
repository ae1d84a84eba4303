using Nethereum.RPC.NonceServices;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// One wallet on one chain: the Nethereum account, its nonce service, and the lock that keeps an ERC-20 approve
/// together with the transfer that spends it. Every sender of this address on this chain in one process must share
/// it, or two of them hand out the same nonce (found by the apocryph-local stack: one wallet, three providers):
/// see <see cref="ChainWalletPool"/>.
/// </summary>
public sealed class ChainWallet
{
    private ChainWallet(Web3 web3, Account account)
    {
        Web3 = web3;
        Account = account;
    }

    internal Web3 Web3 { get; }
    internal Account Account { get; }
    internal SemaphoreSlim ApproveAndSpend { get; } = new(1, 1);

    // Amounts of (token, spender) allowance that transfers in flight in this process are about to spend.
    private readonly Dictionary<(string Token, string Spender), System.Numerics.BigInteger> _reserved = [];

    internal Task<System.Numerics.BigInteger> ReserveAllowanceAsync(string token, string spender, System.Numerics.BigInteger amount)
    {
        lock (_reserved)
        {
            _reserved[(token, spender)] = _reserved.GetValueOrDefault((token, spender)) + amount;
            return Task.FromResult(_reserved[(token, spender)]);
        }
    }

    internal Task ReleaseAllowanceAsync(string token, string spender, System.Numerics.BigInteger amount)
    {
        lock (_reserved) _reserved[(token, spender)] = _reserved.GetValueOrDefault((token, spender)) - amount;
        return Task.CompletedTask;
    }

    internal System.Numerics.BigInteger Reserved(string token, string spender)
    {
        lock (_reserved) return _reserved.GetValueOrDefault((token, spender));
    }
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
}
