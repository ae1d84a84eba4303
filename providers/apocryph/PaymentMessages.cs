using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace ScyllaApocryph.Providers.Apocryph;

// The calls this project makes on the ERC-20 token and on upstream's Payment contract
// (comrade-coop/apocryph 4bbf371, contracts/src/Payment.sol), as Nethereum ABI messages.

[Function("approve", "bool")]
internal sealed class ApproveFunction : FunctionMessage
{
    [Parameter("address", "spender", 1)] public string Spender { get; set; } = "";
    [Parameter("uint256", "value", 2)] public BigInteger Value { get; set; }
}

[Function("allowance", "uint256")]
internal sealed class AllowanceFunction : FunctionMessage
{
    [Parameter("address", "owner", 1)] public string Owner { get; set; } = "";
    [Parameter("address", "spender", 2)] public string Spender { get; set; } = "";
}

[Function("balanceOf", "uint256")]
internal sealed class BalanceOfFunction : FunctionMessage
{
    [Parameter("address", "account", 1)] public string Account { get; set; } = "";
}

[Function("createChannel")]
internal sealed class CreateChannelFunction : FunctionMessage
{
    [Parameter("address", "provider", 1)] public string Provider { get; set; } = "";
    [Parameter("bytes32", "podId", 2)] public byte[] PodId { get; set; } = [];
    [Parameter("uint256", "unlockTime", 3)] public BigInteger UnlockTime { get; set; }
    [Parameter("uint256", "initialAmount", 4)] public BigInteger InitialAmount { get; set; }
}

[Function("deposit")]
internal sealed class DepositFunction : FunctionMessage
{
    [Parameter("address", "provider", 1)] public string Provider { get; set; } = "";
    [Parameter("bytes32", "podId", 2)] public byte[] PodId { get; set; } = [];
    [Parameter("uint256", "amount", 3)] public BigInteger Amount { get; set; }
}

/// <summary>unlock, withdrawUnlocked and closeChannel share (publisher, provider, podId).</summary>
internal abstract class ChannelKeyFunction : FunctionMessage
{
    [Parameter("address", "publisher", 1)] public string Publisher { get; set; } = "";
    [Parameter("address", "provider", 2)] public string Provider { get; set; } = "";
    [Parameter("bytes32", "podId", 3)] public byte[] PodId { get; set; } = [];
}

[Function("unlock")] internal sealed class UnlockFunction : ChannelKeyFunction;

[Function("withdrawUnlocked")] internal sealed class WithdrawUnlockedFunction : ChannelKeyFunction;

[Function("closeChannel")] internal sealed class CloseChannelFunction : ChannelKeyFunction;

/// <summary>The public getter of the channels mapping: the struct without its authorised set.</summary>
[Function("channels")] internal sealed class ChannelsFunction : ChannelKeyFunction;

[FunctionOutput]
internal sealed class ChannelsOutput : IFunctionOutputDTO
{
    [Parameter("uint256", "investedByPublisher", 1)] public BigInteger InvestedByPublisher { get; set; }
    [Parameter("uint256", "withdrawnByProvider", 2)] public BigInteger WithdrawnByProvider { get; set; }
    [Parameter("uint256", "unlockTime", 3)] public BigInteger UnlockTime { get; set; }
    [Parameter("uint256", "unlockedAt", 4)] public BigInteger UnlockedAt { get; set; }
}

[Function("token", "address")] internal sealed class TokenFunction : FunctionMessage;
