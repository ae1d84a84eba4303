using System.Globalization;

namespace ScyllaApocryph.Providers.Apocryph.Registry;

/// <summary>
/// A region of a provider's profile (HostInfo.Region). Publishers write it name-zone-num, e.g. "bul-east-1": three
/// parts split at '-', the last an unsigned 32-bit number; a provider matches when one of its regions equals it in
/// all three (upstream pkg/publisher/registry.go FilterProviderHostInfos, 4bbf371).
/// </summary>
public sealed record RegistryRegion(string Name, string Zone, uint Num)
{
    public static RegistryRegion? Parse(string text, out string? problem)
    {
        problem = null;
        var parts = text.Split('-');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
            problem = $"must be name-zone-number like bul-east-1, got '{text}'";
        else if (!uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var num))
            problem = $"must end in a region number (0-{uint.MaxValue}), got '{text}'";
        else
            return new RegistryRegion(parts[0], parts[1], num);
        return null;
    }

    public override string ToString() => $"{Name}-{Zone}-{Num.ToString(CultureInfo.InvariantCulture)}";
}
