using System.Numerics;

namespace ScyllaApocryph.Providers.Apocryph.Registry;

/// <summary>
/// What a stack asks of a provider chosen from the Registry. A pricing table matches when it is in the payment
/// token, each given maximum price is at least the table's price, and its TEE type and CPU model contain the given
/// text (upstream matches text the same way, with Go's strings.Contains; it matches prices only for equality, a
/// maximum is this project's choice). A provider matches when it subscribes to a matching table and, if a region is
/// given, its profile lists that region.
/// </summary>
public sealed record ProviderSelection(
    string RegistryContract,
    RegistryRegion? Region = null,
    string? TeeType = null,
    string? CpuModel = null,
    PriceLimits? MaxPrices = null)
{
    public bool Matches(PricingTable table) =>
        (MaxPrices ?? PriceLimits.None).Allow(table.Prices)
        && (TeeType is null || table.TeeType.Contains(TeeType, StringComparison.Ordinal))
        && (CpuModel is null || table.CpuModel.Contains(CpuModel, StringComparison.Ordinal));

    public string Describe()
    {
        var parts = new List<string>();
        if (Region is not null) parts.Add($"region {Region}");
        if (TeeType is not null) parts.Add($"TEE type containing '{TeeType}'");
        if (CpuModel is not null) parts.Add($"CPU model containing '{CpuModel}'");
        parts.AddRange((MaxPrices ?? PriceLimits.None).Describe());
        return parts.Count == 0 ? "no filters" : string.Join(", ", parts);
    }
}

/// <summary>The highest price per resource a stack accepts; null: any.</summary>
public sealed record PriceLimits(BigInteger? Cpu = null, BigInteger? Ram = null, BigInteger? Storage = null,
    BigInteger? BandwidthEgress = null, BigInteger? BandwidthIngress = null)
{
    public static readonly PriceLimits None = new();

    public bool Allow(ResourcePrices p) =>
        (Cpu is null || p.Cpu <= Cpu) && (Ram is null || p.Ram <= Ram) && (Storage is null || p.Storage <= Storage)
        && (BandwidthEgress is null || p.BandwidthEgress <= BandwidthEgress) && (BandwidthIngress is null || p.BandwidthIngress <= BandwidthIngress);

    public IEnumerable<string> Describe()
    {
        foreach (var (name, max) in new[] { ("cpu", Cpu), ("ram", Ram), ("storage", Storage), ("bandwidthEgress", BandwidthEgress), ("bandwidthIngress", BandwidthIngress) })
            if (max is { } m) yield return $"{name} price <= {m}";
    }
}
