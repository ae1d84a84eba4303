using System.Numerics;

namespace ScyllaApocryph.Providers.Apocryph.Registry;

/// <summary>
/// One pricing table's prices, in the payment token's smallest unit per resource unit and second (upstream bills
/// resource-seconds: pkg/resource/measurements.go at 4bbf371; cpu per core, ram and storage per byte, bandwidth per
/// byte used). The order is the contract's ResourceKind: CPU, RAM, STORAGE, BANDWIDTH_EGRESS, BANDWIDTH_INGRESS.
/// </summary>
public sealed record ResourcePrices(BigInteger Cpu, BigInteger Ram, BigInteger Storage, BigInteger BandwidthEgress, BigInteger BandwidthIngress)
{
    public IReadOnlyList<BigInteger> InContractOrder => [Cpu, Ram, Storage, BandwidthEgress, BandwidthIngress];
}

/// <summary>A pricing table as its NewPricingTable event announced it.</summary>
public sealed record PricingTable(BigInteger Id, string Token, ResourcePrices Prices, string CpuModel, string TeeType);

/// <summary>What one node reserves, the part of a table's prices that can be known before it runs (bandwidth cannot).</summary>
public sealed record NodeDemand(long CpuMillis, long MemoryBytes, long DiskBytes)
{
    /// <summary>The node's reservation cost per second under <paramref name="prices"/>, in thousandths of the token's smallest unit.</summary>
    public BigInteger MilliCostPerSecond(ResourcePrices prices) =>
        CpuMillis * prices.Cpu + 1000 * (MemoryBytes * prices.Ram + DiskBytes * prices.Storage);

    /// <summary>A milli-cost as a decimal number of the token's smallest unit.</summary>
    public static string Format(BigInteger milli) =>
        milli % 1000 == 0 ? (milli / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture)
                          : $"{milli / 1000}.{(milli % 1000).ToString("000", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0')}";
}
