using System.Globalization;
using System.Text.RegularExpressions;

namespace ScyllaApocryph.Providers.Nebula;

/// <summary>
/// Durations as the stack writes them: a whole number with a unit d, h, m or s ("3650d", "8760h").
/// nebula-cert only knows Go's h/m/s, so days are turned into hours on the way out.
/// </summary>
public static partial class NebulaDuration
{
    [GeneratedRegex(@"^(\d{1,7})(d|h|m|s)$")]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text is null) return false;
        var match = Pattern().Match(text.Trim());
        if (!match.Success) return false;
        var n = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        duration = match.Groups[2].Value switch
        {
            "d" => TimeSpan.FromDays(n),
            "h" => TimeSpan.FromHours(n),
            "m" => TimeSpan.FromMinutes(n),
            _ => TimeSpan.FromSeconds(n),
        };
        return duration > TimeSpan.Zero;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var d) ? d : throw new FormatException($"'{text}' is not a duration such as 365d, 8760h, 90m or 30s");

    /// <summary>The form nebula-cert's -duration flag takes (Go duration, whole seconds).</summary>
    public static string ToGo(TimeSpan duration) => ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
}
