using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Infra.Output;

/// <summary>
/// Prints stack outputs for people: scalars as <c>key: value</c>, lists of records as aligned columns (plain
/// lines, so a narrow terminal wraps them whole instead of squeezing every cell).
/// </summary>
internal static class OutputsPrinter
{
    /// <param name="full">Print multi-line values (certificates) whole; otherwise as a size and digest.</param>
    public static void Print(TextWriter w, PropertyMap outputs, bool showSecrets, bool full = true)
    {
        if (outputs.Count == 0) return;
        w.WriteLine("Outputs:");
        foreach (var (key, value) in outputs)
        {
            // AsArray and AsMap see through secrets: a table only of what may be shown, cells redacted one by one.
            var shown = showSecrets ? value.Reveal() : value;
            if (shown is ArrayValue { Items: { Length: > 0 } rows } && rows.All(r => r is ObjectValue))
            {
                var columns = rows.SelectMany(r => ((ObjectValue)r).Map.Keys).Distinct().OrderBy(c => c == "name" ? 0 : 1).ToList();
                var cells = rows.Select(r => columns.Select(c => ((ObjectValue)r).Map.Get(c) is { } v ? Plain(v, showSecrets) : "").ToList()).ToList();
                var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Max(row => row[i].Length))).ToList();
                w.WriteLine($"  {key}:");
                w.WriteLine("    " + string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
                foreach (var row in cells) w.WriteLine("    " + string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
            }
            else if (!full && Shown(value, showSecrets)?.AsString is { } text && text.Contains('\n')) w.WriteLine($"  {key}: {PropertyFormatter.Format(value, showSecrets)}");
            else w.WriteLine($"  {key}: {Plain(value, showSecrets)}");
        }
    }

    private static string Plain(PropertyValue value, bool showSecrets) =>
        Shown(value, showSecrets) is StringValue s ? s.Value : PropertyFormatter.Format(value, showSecrets);

    // The plain value, when it may be shown: a hidden secret is never opened (nor its key derived) just to be redacted.
    private static PropertyValue? Shown(PropertyValue value, bool showSecrets) =>
        showSecrets || !value.ContainsSecrets ? value.Reveal() : null;
}
