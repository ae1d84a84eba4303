using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ScyllaApocryph.Engine.Values;

/// <summary>
/// Renders values for people: secrets as <c>[secret]</c>, unknowns as <c>(known after apply)</c>,
/// long or multi-line strings as a size and digest so plans stay readable.
/// </summary>
public static class PropertyFormatter
{
    public const string SecretText = "[secret]";
    public const string UnknownText = "(known after apply)";
    private const int MaxInlineString = 80;

    public static string Format(PropertyValue value, bool showSecrets = false) => value switch
    {
        NullValue => "null",
        BoolValue b => b.Value ? "true" : "false",
        NumberValue n => n.Value.ToString(CultureInfo.InvariantCulture),
        StringValue s => FormatString(s.Value),
        ArrayValue a => "[" + string.Join(", ", a.Items.Select(i => Format(i, showSecrets))) + "]",
        ObjectValue o => "{" + string.Join(", ", o.Map.Select(kv => $"{kv.Key}: {Format(kv.Value, showSecrets)}")) + "}",
        SecretValue s => showSecrets ? Format(s.Inner, showSecrets) : SecretText,
        UnknownValue => UnknownText,
        OutputReference r => $"{UnknownText} <- {r.Urn.Name}.{r.Output}",
        FormatValue or FunctionValue => UnknownText,
        _ => value.ToString() ?? "",
    };

    private static string FormatString(string s)
    {
        if (s.Length <= MaxInlineString && !s.Contains('\n')) return "\"" + s + "\"";
        var lines = s.Count(c => c == '\n') + (s.EndsWith('\n') ? 0 : 1);
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..12];
        return $"<{lines} lines, {Encoding.UTF8.GetByteCount(s)} bytes, sha256:{digest}>";
    }
}
