using System.Globalization;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Providers.Common;

/// <summary>
/// Reads typed inputs for the PKI providers and collects check failures. During preview an input may be
/// unknown (it references an output not created yet); such values are accepted here and checked on apply.
/// </summary>
internal sealed class ProviderInputs(PropertyMap map)
{
    private readonly List<Engine.Providers.CheckFailure> _failures = [];

    public PropertyMap Map { get; private set; } = map;

    public IReadOnlyList<Engine.Providers.CheckFailure> Failures => _failures;

    public bool IsUnknown(string key) => Map.Get(key)?.ContainsUnknowns == true;

    public void Fail(string key, string reason) => _failures.Add(new(key, reason));

    /// <summary>A required non-empty string (unknown is fine during preview).</summary>
    public string? RequireString(string key)
    {
        if (IsUnknown(key)) return null;
        var s = Map.GetString(key);
        if (string.IsNullOrWhiteSpace(s)) Fail(key, "is required");
        return s;
    }

    public string? OptionalString(string key) => IsUnknown(key) ? null : Map.GetString(key);

    public IReadOnlyList<string>? StringList(string key)
    {
        if (IsUnknown(key)) return null;
        var value = Map.Get(key);
        if (value is null or NullValue) return [];
        if (value.AsArray is not { } items || items.Any(i => i.AsString is null))
        {
            Fail(key, "must be a list of strings");
            return null;
        }
        return [.. items.Select(i => i.AsString!)];
    }

    /// <summary>A duration such as "365d"; writes the default back so state records what was used.</summary>
    public TimeSpan? Duration(string key, string? fallback)
    {
        if (IsUnknown(key)) return null;
        var text = Map.GetString(key);
        if (text is null && fallback is not null)
        {
            text = fallback;
            Map = Map.With(key, fallback);
        }
        if (text is null)
        {
            Fail(key, "is required (e.g. 365d, 8760h)");
            return null;
        }
        if (StackDuration.TryParse(text, out var d)) return d;
        Fail(key, $"'{text}' is not a duration such as 365d, 8760h, 90m or 30s");
        return null;
    }

    /// <summary>A non-negative whole number with a default (for generation counters such as rotation).</summary>
    public long Generation(string key)
    {
        if (IsUnknown(key)) return 0;
        var value = Map.Get(key);
        if (value is null or NullValue)
        {
            Map = Map.With(key, 0);
            return 0;
        }
        if (value.AsNumber is { } n && n >= 0 && n == Math.Floor(n)) return (long)n;
        Fail(key, "must be a whole number >= 0");
        return 0;
    }

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseIso(string? s) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
}
