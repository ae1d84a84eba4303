using System.Numerics;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// The publisher's side of upstream's Payment contract, on Nethereum. Every write is preceded by a read of the
/// chain, so a run that stopped after any transaction and runs again continues where it stopped: it never creates
/// a second channel (the contract refuses one anyway with AlreadyExists) and never leaves a pod without one.
/// One wallet sends many transactions: its <see cref="ChainWallet"/> hands out nonces and recovers those of failed sends.
/// </summary>
public sealed class PaymentChannels
{
    private readonly ChainWallet _wallet;
    private readonly string _payment;
    private readonly string _token;

    private PaymentChannels(ChainWallet wallet, string payment, string token)
    {
        _wallet = wallet;
        _payment = payment;
        _token = token;
    }

    private Web3 Web3 => _wallet.Web3;

    public string Publisher => _wallet.Address;
    public string PaymentContract => _payment;

    /// <summary>Transactions this client has sent (mined), for `bench apocryph`.</summary>
    public int TransactionsSent => _sent;
    private int _sent;

    /// <summary>A client with a wallet of its own (as a new process would have).</summary>
    public static async Task<PaymentChannels> ConnectAsync(string rpcUrl, WalletKey key, string paymentContract, CancellationToken ct) =>
        await ConnectAsync(await ChainWallet.ConnectAsync(rpcUrl, key), paymentContract, ct);

    public static async Task<PaymentChannels> ConnectAsync(ChainWallet wallet, string paymentContract, CancellationToken ct)
    {
        var token = await wallet.Web3.Eth.GetContractQueryHandler<TokenFunction>().QueryAsync<string>(paymentContract, new TokenFunction());
        ct.ThrowIfCancellationRequested();
        return new PaymentChannels(wallet, paymentContract, token);
    }

    public Task<BigInteger> ChainIdAsync() => Task.FromResult(_wallet.ChainId);

    public async Task<ChannelState> ReadAsync(string provider, byte[] podId)
    {
        var c = await Web3.Eth.GetContractQueryHandler<ChannelsFunction>().QueryDeserializingToObjectAsync<ChannelsOutput>(
            new ChannelsFunction { Publisher = Publisher, Provider = provider, PodId = podId }, _payment);
        return new ChannelState(c.InvestedByPublisher, c.WithdrawnByProvider, c.UnlockTime, c.UnlockedAt);
    }

    public async Task<BigInteger> TokenBalanceAsync(string owner) =>
        await Web3.Eth.GetContractQueryHandler<BalanceOfFunction>().QueryAsync<BigInteger>(_token, new BalanceOfFunction { Account = owner });

    /// <summary>The latest block's time, in Unix seconds: the clock the contract's unlock uses.</summary>
    public async Task<BigInteger> ChainTimeAsync() =>
        (await Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest())).Timestamp.Value;

    /// <summary>
    /// Makes sure the channel for (provider, podId) holds at least <paramref name="funds"/> invested: creates it
    /// (approve, then createChannel) when it does not exist, deposits the difference when config raised the amount.
    /// Each step reads the chain first, so replaying after a crash at any point pays exactly once.
    /// </summary>
    public async Task<ChannelState> EnsureFundedAsync(string provider, byte[] podId, BigInteger unlockTime, BigInteger funds, Func<string, Task>? afterStep = null)
    {
        if (funds <= 0) throw new ArgumentOutOfRangeException(nameof(funds), "the payment channel needs a positive amount");
        var channel = await ReadAsync(provider, podId);
        if (channel.Exists && channel.Invested >= funds) return channel;
        var needed = channel.Exists ? funds - channel.Invested : funds;
        await ReserveAllowanceAsync(needed, afterStep);
        var spent = false;
        try
        {
            if (channel.Exists)
                await SendAsync(_payment, new DepositFunction { Provider = provider, PodId = podId, Amount = needed });
            else
                await SendAsync(_payment, new CreateChannelFunction { Provider = provider, PodId = podId, UnlockTime = unlockTime, InitialAmount = funds });
            spent = true;
        }
        finally
        {
            await _wallet.ReleaseAllowanceAsync(_token, _payment, needed, spent);
        }
        if (afterStep is not null) await afterStep(channel.Exists ? "deposit" : "createChannel");
        // What the mined transaction did, without reading it back (Payment.sol: createChannel sets investedByPublisher
        // and unlockTime on a new channel; deposit adds to investedByPublisher).
        return channel.Exists ? channel with { Invested = funds, UnlockedAt = 0 } : new ChannelState(funds, 0, unlockTime, 0);
    }

    /// <summary>
    /// approve sets an allowance, it does not add to one. Pods funded at once each reserve their amount, and the
    /// allowance is raised to cover every reservation still in flight, under the wallet's lock; the transfers that
    /// spend it then run concurrently. An allowance left over (a transfer that ran before a later approve) is only
    /// spendable by this publisher's own Payment calls, which pull from msg.sender.
    /// </summary>
    private async Task ReserveAllowanceAsync(BigInteger needed, Func<string, Task>? afterStep)
    {
        await _wallet.ReserveAllowanceAsync(_token, _payment, needed);
        try
        {
            await _wallet.ApproveAndSpend.WaitAsync();
            try
            {
                var (target, known) = _wallet.Allowance(_token, _payment);
                var allowance = known ?? await Web3.Eth.GetContractQueryHandler<AllowanceFunction>().QueryAsync<BigInteger>(
                    _token, new AllowanceFunction { Owner = Publisher, Spender = _payment });
                if (allowance < target)
                {
                    // Sized for the pods still expected this run too, so later pods find it and send no approve. Known
                    // from before it is sent: a transfer mined meanwhile counts against it (an underestimate, safe);
                    // known from after, a transfer finishing in between would be forgotten (an overestimate, a revert).
                    allowance = target + _wallet.StillExpected;
                    _wallet.KnowAllowance(_token, _payment, allowance);
                    try
                    {
                        await SendAsync(_token, new ApproveFunction { Spender = _payment, Value = allowance });
                    }
                    catch
                    {
                        _wallet.ForgetAllowance(_token, _payment);
                        throw;
                    }
                    if (afterStep is not null) await afterStep("approve");
                }
            }
            finally
            {
                _wallet.ApproveAndSpend.Release();
            }
        }
        catch
        {
            await _wallet.ReleaseAllowanceAsync(_token, _payment, needed);
            throw;
        }
    }

    /// <summary>
    /// Gets the publisher's money back: starts the unlock timer if it is not running, and once the chain's time has
    /// passed it, closes the channel (which returns what the provider did not take). Returns the channel as it is
    /// afterwards: gone, or still locked until <see cref="ChannelState.UnlockedAt"/>.
    /// </summary>
    public async Task<ChannelState> ReleaseAsync(string provider, byte[] podId)
    {
        var channel = await ReadAsync(provider, podId);
        if (!channel.Exists) return channel;
        if (!channel.Unlocking)
        {
            await SendAsync(_payment, new UnlockFunction { Publisher = Publisher, Provider = provider, PodId = podId });
            channel = await ReadAsync(provider, podId);
        }
        if (await ChainTimeAsync() >= channel.UnlockedAt)
        {
            await SendAsync(_payment, new CloseChannelFunction { Publisher = Publisher, Provider = provider, PodId = podId });
            channel = await ReadAsync(provider, podId);
        }
        return channel;
    }

    /// <summary>closeChannel as such, whatever the time: lets a test provoke a failing send.</summary>
    internal Task CloseForTestAsync(string provider, byte[] podId) =>
        SendAsync(_payment, new CloseChannelFunction { Publisher = Publisher, Provider = provider, PodId = podId });

    private async Task SendAsync<T>(string contract, T message) where T : Nethereum.Contracts.FunctionMessage, new()
    {
        var receipt = await _wallet.SendAsync(contract, message);
        Interlocked.Increment(ref _sent);
        if (receipt.Status?.Value != 1)
            throw new InvalidOperationException($"transaction {receipt.TransactionHash} ({typeof(T).Name.Replace("Function", "")}) reverted");
    }
}
