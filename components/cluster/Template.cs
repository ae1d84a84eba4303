using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Components.Cluster;

/// <summary>
/// Renderers produce plain text with placeholder tokens where a value known only after apply belongs (a generated
/// password hash, say); <see cref="Fill"/> turns such text into a formatted value the engine completes at apply.
/// </summary>
public static class Template
{
    public static PropertyValue Fill(string text, IReadOnlyDictionary<string, PropertyValue> tokens)
    {
        var parts = new List<PropertyValue>();
        var rest = text;
        while (true)
        {
            var next = tokens.Keys
                .Select(t => (Token: t, At: rest.IndexOf(t, StringComparison.Ordinal)))
                .Where(x => x.At >= 0)
                .OrderBy(x => x.At)
                .FirstOrDefault();
            if (next.Token is null) break;
            parts.Add(rest[..next.At]);
            parts.Add(tokens[next.Token]);
            rest = rest[(next.At + next.Token.Length)..];
        }
        parts.Add(rest);
        return PropertyValue.Format([.. parts]);
    }
}
