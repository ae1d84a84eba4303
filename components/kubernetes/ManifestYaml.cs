using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace ScyllaApocryph.Components.Kubernetes;

/// <summary>
/// Kubernetes objects as YAML, by way of the client's JSON form (<see cref="ManifestJson"/>, the same bytes the
/// kubernetes provider applies). The client's own <c>KubernetesYaml</c> builds a serializer over every model type on
/// first use, which cost about 0.7 s of a render-only run's start-up; this writes the same document from the JSON tree.
/// </summary>
public static partial class ManifestYaml
{
    private static readonly ISerializer Yaml = new SerializerBuilder().DisableAliases().Build();

    // YAML 1.1 readers (go-yaml v2, which kubectl used) take these words as booleans or null.
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
    };

    public static string Serialize(IKubernetesObject value)
    {
        using var json = JsonDocument.Parse(ManifestJson.Serialize(value));
        return Yaml.Serialize(Node(json.RootElement));
    }

    private static YamlNode Node(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => new YamlMappingNode(e.EnumerateObject().Select(p => KeyValuePair.Create<YamlNode, YamlNode>(Text(p.Name), Node(p.Value)))),
        JsonValueKind.Array => new YamlSequenceNode(e.EnumerateArray().Select(Node)),
        JsonValueKind.String => Text(e.GetString()!),
        JsonValueKind.Number => new YamlScalarNode(e.GetRawText()) { Style = ScalarStyle.Plain },
        JsonValueKind.True => new YamlScalarNode("true") { Style = ScalarStyle.Plain },
        JsonValueKind.False => new YamlScalarNode("false") { Style = ScalarStyle.Plain },
        _ => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
    };

    /// <summary>A string stays a string: plain only when no reader could take it for anything else.</summary>
    private static YamlScalarNode Text(string s)
    {
        var style = s.Contains('\n') ? ScalarStyle.Literal
            : PlainSafe().IsMatch(s) && !Keywords.Contains(s) && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                ? ScalarStyle.Plain
                : ScalarStyle.DoubleQuoted;
        return new YamlScalarNode(s) { Style = style };
    }

    // A letter, '/' or '_' first (no digit: YAML 1.1 reads 0x1f, 1_000 and 1:20 as numbers), then no space or indicator.
    [GeneratedRegex(@"^[A-Za-z_/][A-Za-z0-9_./-]*$")]
    private static partial Regex PlainSafe();
}
