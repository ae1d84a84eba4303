using System.Globalization;
using System.Text.RegularExpressions;

namespace ScyllaApocryph.Components.Cluster;

/// <summary>Kubernetes-style quantities: bytes with binary (Ki, Mi, Gi, Ti) or decimal (k, M, G, T) suffixes; CPUs with an optional milli suffix.</summary>
public static partial class Quantities
{
    public static long? ParseBytes(string text)
    {
        var m = BytesPattern().Match(text.Trim());
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return null;
        double unit = m.Groups[2].Value switch
        {
            "" => 1,
            "k" => 1e3,
            "M" => 1e6,
            "G" => 1e9,
            "T" => 1e12,
            "Ki" => 1L << 10,
            "Mi" => 1L << 20,
            "Gi" => 1L << 30,
            "Ti" => 1L << 40,
            _ => double.NaN,
        };
        var bytes = n * unit;
        return double.IsFinite(bytes) && bytes >= 0 && bytes < long.MaxValue ? (long)bytes : null;
    }

    public static double? ParseCpu(string text)
    {
        var t = text.Trim();
        var milli = t.EndsWith('m');
        if (!double.TryParse(milli ? t[..^1] : t, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0) return null;
        return milli ? n / 1000 : n;
    }

    /// <summary>The largest exact binary unit: 2147483648 -> "2Gi".</summary>
    public static string FormatBytes(long bytes)
    {
        foreach (var (unit, size) in new[] { ("Ti", 1L << 40), ("Gi", 1L << 30), ("Mi", 1L << 20), ("Ki", 1L << 10) })
            if (bytes >= size && bytes % size == 0) return $"{bytes / size}{unit}";
        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$")]
    private static partial Regex BytesPattern();
}
