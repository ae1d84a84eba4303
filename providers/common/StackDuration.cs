namespace ScyllaApocryph.Providers.Common;

/// <summary>
/// Durations as the stack writes them: a whole number with a unit d, h, m or s ("3650d", "8760h"), parsed by the
/// same rule the stack check uses, so a value the check accepted is never refused by a provider.
/// </summary>
public static class StackDuration
{
    public static bool TryParse(string? text, out TimeSpan duration) => Components.Cluster.PkiSpec.TryParseDuration(text, out duration);

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var d) ? d : throw new FormatException($"'{text}' is not a duration such as 365d, 8760h, 90m or 30s");
}
