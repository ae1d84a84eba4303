using ScyllaApocryph.Engine.Values;
using Spectre.Console;

namespace ScyllaApocryph.Infra.Output;

/// <summary>Prints stack outputs for people: scalars as <c>key: value</c>, lists of records as tables.</summary>
internal static class OutputsPrinter
{
    public static void Print(IAnsiConsole console, PropertyMap outputs, bool showSecrets)
    {
        if (outputs.Count == 0) return;
        console.WriteLine("Outputs:");
        foreach (var (key, value) in outputs)
        {
            if (value.AsArray is { Length: > 0 } rows && rows.All(r => r.AsMap is not null))
            {
                var columns = rows.SelectMany(r => r.AsMap!.Keys).Distinct().OrderBy(c => c == "name" ? 0 : 1).ToList();
                var table = new Table().Border(TableBorder.Simple).Title(key);
                foreach (var c in columns) table.AddColumn(c);
                foreach (var row in rows)
                    table.AddRow(columns.Select(c => Markup.Escape(row.AsMap!.Get(c) is { } v ? Plain(v, showSecrets) : "")).ToArray());
                console.Write(table);
            }
            else console.WriteLine($"  {key}: {Plain(value, showSecrets)}");
        }
    }

    private static string Plain(PropertyValue value, bool showSecrets) =>
        value is StringValue s ? s.Value : PropertyFormatter.Format(value, showSecrets);
}
