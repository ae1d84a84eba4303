using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace ScyllaApocryph.Providers.Apocryph.Registry;

// Upstream's Registry contract (comrade-coop/apocryph 4bbf371, contracts/src/Registry.sol) as Nethereum ABI messages:
// the reads a publisher makes (as pkg/publisher/registry.go) and the writes a provider makes (as cmd/tpodserver/registry.go).

/// <summary>Emitted once per table; token and Id are indexed, so a publisher filters the tables of its payment token.</summary>
[Event("NewPricingTable")]
public sealed class NewPricingTableEvent : IEventDTO
{
    [Parameter("address", "token", 1, true)] public string Token { get; set; } = "";
    [Parameter("uint256", "Id", 2, true)] public BigInteger Id { get; set; }
    [Parameter("uint256", "CpuPrice", 3, false)] public BigInteger CpuPrice { get; set; }
    [Parameter("uint256", "RamPrice", 4, false)] public BigInteger RamPrice { get; set; }
    [Parameter("uint256", "StoragePrice", 5, false)] public BigInteger StoragePrice { get; set; }
    [Parameter("uint256", "BandwidthEgressPrice", 6, false)] public BigInteger BandwidthEgressPrice { get; set; }
    [Parameter("uint256", "BandwidthIngressPrice", 7, false)] public BigInteger BandwidthIngressPrice { get; set; }
    [Parameter("string", "Cpumodel", 8, false)] public string Cpumodel { get; set; } = "";
    [Parameter("string", "TeeType", 9, false)] public string TeeType { get; set; } = "";
}

/// <summary>Emitted by registerPricingTable and subscribe (not by unsubscribe: readers check isSubscribed).</summary>
[Event("Subscribed")]
public sealed class SubscribedEvent : IEventDTO
{
    [Parameter("uint256", "id", 1, true)] public BigInteger Id { get; set; }
    [Parameter("address", "provider", 2, true)] public string Provider { get; set; } = "";
}

/// <summary>The public getter of <c>providers</c>: the provider's profile CID, "" when not registered.</summary>
[Function("providers", "string")]
public sealed class ProvidersFunction : FunctionMessage
{
    [Parameter("address", "", 1)] public string Provider { get; set; } = "";
}

[Function("isSubscribed", "bool")]
public sealed class IsSubscribedFunction : FunctionMessage
{
    [Parameter("address", "provider", 1)] public string Provider { get; set; } = "";
    [Parameter("uint256", "tableId", 2)] public BigInteger TableId { get; set; }
}

[Function("registerProvider")]
public sealed class RegisterProviderFunction : FunctionMessage
{
    [Parameter("string", "cid", 1)] public string Cid { get; set; } = "";
}

/// <summary>Prices in upstream's ResourceKind order: CPU, RAM, STORAGE, BANDWIDTH_EGRESS, BANDWIDTH_INGRESS.</summary>
[Function("registerPricingTable")]
public sealed class RegisterPricingTableFunction : FunctionMessage
{
    [Parameter("address", "token", 1)] public string Token { get; set; } = "";
    [Parameter("uint256[5]", "prices", 2)] public List<BigInteger> Prices { get; set; } = [];
    [Parameter("string", "cpumodel", 3)] public string CpuModel { get; set; } = "";
    [Parameter("string", "teeType", 4)] public string TeeType { get; set; } = "";
}

[Function("subscribe")]
public sealed class SubscribeFunction : FunctionMessage
{
    [Parameter("uint256", "tableId", 1)] public BigInteger TableId { get; set; }
}

[Function("unsubscribe")]
public sealed class UnsubscribeFunction : FunctionMessage
{
    [Parameter("uint256", "tableId", 1)] public BigInteger TableId { get; set; }
}
