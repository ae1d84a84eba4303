using System.Numerics;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// One wallet on one chain: the Nethereum account, its <see cref="NonceLedger"/>, the fees of the run, and the lock
/// that keeps an ERC-20 approve together with the transfer that spends it. Every sender of this address on this chain
/// in one process must share it, or two of them hand out the same nonce (found by the apocryph-local stack: one
/// wallet, three providers): see <see cref="ChainWalletPool"/>. Transactions are signed here with an explicit nonce
/// and sent raw, so a failed send knows its nonce and whether the chain got it (<see cref="SendAsync{T}"/>).
/// </summary>
public sealed class ChainWallet
{
    private static readonly BigInteger GasMargin = 50_000;
    // Nethereum's SimpleFeeSuggestionStrategy: a 2 gwei tip, and a fee cap of twice the base fee plus the tip, which
    // stays above the base fee through six full blocks in a row.
    private static readonly BigInteger Tip = 2_000_000_000;

    private readonly object _feeGate = new();
    private Task<BigInteger>? _maxFee;

    private ChainWallet(Web3 web3, Account account, BigInteger chainId, BigInteger firstNonce, BigInteger expectedSpend)
    {
        _expected = expectedSpend;
        Web3 = web3;
        Account = account;
        ChainId = chainId;
        Nonces = new NonceLedger(firstNonce);
    }

    internal Web3 Web3 { get; }
    internal Account Account { get; }
    internal SemaphoreSlim ApproveAndSpend { get; } = new(1, 1);
    internal NonceLedger Nonces { get; }

    /// <summary>Read once when the wallet connects: a chain's id does not change under a run.</summary>
    public BigInteger ChainId { get; }

    // Amounts of (token, spender) allowance that transfers in flight in this process are about to spend; the
    // allowance as this process last knew it (read or approved, less what its own transfers spent since), or none.
    private readonly Dictionary<(string Token, string Spender), BigInteger> _reserved = [];
    private readonly Dictionary<(string Token, string Spender), BigInteger> _known = [];
    private readonly BigInteger _expected;
    private BigInteger _reservedEver;

    internal Task<BigInteger> ReserveAllowanceAsync(string token, string spender, BigInteger amount)
    {
        lock (_reserved)
        {
            _reservedEver += amount;
            _reserved[(token, spender)] = _reserved.GetValueOrDefault((token, spender)) + amount;
            return Task.FromResult(_reserved[(token, spender)]);
        }
    }

    /// <summary>A reservation ends: <paramref name="spent"/>, the transfer went through and took that much allowance.</summary>
    internal Task ReleaseAllowanceAsync(string token, string spender, BigInteger amount, bool spent = false)
    {
        lock (_reserved)
        {
            _reserved[(token, spender)] = _reserved.GetValueOrDefault((token, spender)) - amount;
            if (spent && _known.TryGetValue((token, spender), out var known)) _known[(token, spender)] = known - amount;
            else if (!spent) _known.Remove((token, spender)); // a failed transfer may or may not have taken it: read again
        }
        return Task.CompletedTask;
    }

    /// <summary>What transfers in flight will spend, and the allowance as last known (null: read the chain).</summary>
    internal (BigInteger Reserved, BigInteger? Known) Allowance(string token, string spender)
    {
        lock (_reserved) return (_reserved.GetValueOrDefault((token, spender)), _known.TryGetValue((token, spender), out var k) ? k : null);
    }

    internal void KnowAllowance(string token, string spender, BigInteger allowance)
    {
        lock (_reserved) _known[(token, spender)] = allowance;
    }

    internal void ForgetAllowance(string token, string spender)
    {
        lock (_reserved) _known.Remove((token, spender));
    }

    /// <summary>
    /// What the pods this run declared may still spend beyond what they reserved so far (<see cref="ChainWalletPool.ExpectSpend"/>):
    /// an approve covers it too, so one approve serves every pod of a first deployment.
    /// </summary>
    internal BigInteger StillExpected
    {
        get
        {
            lock (_reserved) return BigInteger.Max(0, _expected - _reservedEver);
        }
    }

    public string Address => Account.Address;

    /// <summary>A wallet of its own (tests use one per simulated process).</summary>
    public static async Task<ChainWallet> ConnectAsync(string rpcUrl, WalletKey key, BigInteger? expectedSpend = null)
    {
        var probe = new Web3(rpcUrl);
        var chainId = (await probe.Eth.ChainId.SendRequestAsync()).Value;
        var account = new Account(key.EthKey, chainId);
        var web3 = new Web3(account, rpcUrl);
        web3.TransactionManager.UseLegacyAsDefault = false;
        // Pending, not latest: transactions of an earlier run still in the pool keep their nonces.
        var first = await web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(account.Address, BlockParameter.CreatePending());
        return new ChainWallet(web3, account, chainId, first.Value, expectedSpend ?? 0);
    }

    /// <summary>
    /// Estimates gas (with a margin, see below), signs with the next nonce and sends raw, then waits for the receipt.
    /// If the send fails, the chain is asked whether it has the transaction anyway (a lost answer): then it is
    /// awaited like any other; otherwise its nonce is given back (<see cref="NonceLedger"/>) and the failure thrown.
    /// </summary>
    internal async Task<TransactionReceipt> SendAsync<T>(string contract, T message) where T : Nethereum.Contracts.FunctionMessage, new()
    {
        var handler = Web3.Eth.GetContractTransactionHandler<T>();
        // The estimate is taken on the state before transactions still in flight: one of them can turn a storage
        // slot this call writes from nonzero to zero (a createChannel spending the allowance an approve raises),
        // and writing a zero slot costs about 20,000 gas more (EIP-2200). Found by funding pods at once.
        message.Gas ??= (await handler.EstimateGasAsync(contract, message)).Value + GasMargin;
        message.MaxPriorityFeePerGas = Tip;
        message.MaxFeePerGas = await MaxFeeAsync();
        message.TransactionType = 2;
        var nonce = Nonces.Take();
        message.Nonce = nonce;
        string raw;
        try
        {
            raw = (await handler.SignTransactionAsync(contract, message)).EnsureHexPrefix();
        }
        catch
        {
            await GiveBackAsync(nonce);
            throw;
        }
        return await SubmitAsync(raw, nonce);
    }

    private async Task<TransactionReceipt> SubmitAsync(string raw, BigInteger nonce)
    {
        var hash = "0x" + Sha3Keccack.Current.CalculateHashFromHex(raw);
        try
        {
            await Web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(raw);
        }
        catch (Exception)
        {
            if (!await KnownAsync(hash))
            {
                await GiveBackAsync(nonce);
                throw;
            }
        }
        return await Web3.TransactionReceiptPolling.PollForReceiptAsync(hash);
    }

    private async Task<bool> KnownAsync(string hash)
    {
        try
        {
            return await Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(hash) is not null;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>
    /// A nonce the chain never got. If later nonces are out, a zero-value transfer to ourselves takes it now, or those
    /// would wait behind the gap for ever; if even that fails, the next send takes it. The fees are read again too
    /// (a rejection may have been a fee cap under a risen base fee).
    /// </summary>
    private async Task GiveBackAsync(BigInteger nonce)
    {
        lock (_feeGate) _maxFee = null;
        try
        {
            var mined = (await Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(Address, BlockParameter.CreateLatest())).Value;
            Nonces.Observe(mined);
            if (nonce < mined) return; // someone else's transaction took it
        }
        catch (Exception)
        {
            // The chain cannot be asked now: go by what this process knows.
        }
        if (!Nonces.Return(nonce)) return;
        try
        {
            var filler = new TransactionInput
            {
                From = Address, To = Address, Value = new HexBigInteger(0), Gas = new HexBigInteger(21_000), Nonce = new HexBigInteger(nonce),
                MaxPriorityFeePerGas = new HexBigInteger(Tip), MaxFeePerGas = new HexBigInteger(await MaxFeeAsync()), Type = new HexBigInteger(2),
            };
            var raw = (await Web3.TransactionManager.SignTransactionAsync(filler)).EnsureHexPrefix();
            var hash = "0x" + Sha3Keccack.Current.CalculateHashFromHex(raw);
            try
            {
                await Web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(raw);
            }
            catch (Exception)
            {
                if (!await KnownAsync(hash)) throw;
            }
            await Web3.TransactionReceiptPolling.PollForReceiptAsync(hash);
        }
        catch (Exception)
        {
            Nonces.Abandon(nonce);
        }
    }

    /// <summary>The fee cap of this run's transactions, read once (and again after a failed send).</summary>
    private Task<BigInteger> MaxFeeAsync()
    {
        lock (_feeGate) return _maxFee ??= ReadMaxFeeAsync();
    }

    private async Task<BigInteger> ReadMaxFeeAsync()
    {
        var block = await Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest());
        return 2 * (block.BaseFeePerGas?.Value ?? 0) + Tip;
    }
}
