using System.Globalization;

namespace ScyllaApocryph.Providers.Nebula;

/// <summary>
/// Durations as the stack writes them: a whole number with a unit d, h, m or s ("3650d", "8760h").
/// nebula-cert only knows Go's h/m/s, so days are turned into hours on the way out.
/// </summary>
public static class NebulaDuration
{
    public static bool TryParse(string? text, out TimeSpan duration) => Components.Cluster.PkiSpec.TryParseDuration(text, out duration);

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var d) ? d : throw new FormatException($"'{text}' is not a duration such as 365d, 8760h, 90m or 30s");

    /// <summary>The form nebula-cert's -duration flag takes (Go duration, whole seconds).</summary>
    public static string ToGo(TimeSpan duration) => ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
}
