using System.Text.Json;
using System.Text.RegularExpressions;
using k8s;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ScyllaApocryph.Components.Kubernetes;

/// <summary>
/// Kubernetes objects as YAML, written from their JSON (the API's own wire form, by <see cref="KubernetesJson"/>).
/// KubernetesYaml would do the same, but its first use builds a type map over every model in the client, which took
/// most of a render-only preview's start-up; this emits the same document, JSON's types kept: a string that would
/// read back as a number, a boolean or null is quoted, and multi-line text is a literal block so it stays readable.
/// </summary>
public static partial class ManifestYaml
{
    public static string Serialize(IKubernetesObject o)
    {
        using var json = JsonDocument.Parse(KubernetesJson.Serialize(o));
        var text = new StringWriter();
        var emitter = new Emitter(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        Write(emitter, json.RootElement);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void Write(IEmitter e, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                e.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
                foreach (var p in value.EnumerateObject())
                {
                    e.Emit(String(p.Name));
                    Write(e, p.Value);
                }
                e.Emit(new MappingEnd());
                break;
            case JsonValueKind.Array:
                e.Emit(new SequenceStart(null, null, isImplicit: true, SequenceStyle.Block));
                foreach (var item in value.EnumerateArray()) Write(e, item);
                e.Emit(new SequenceEnd());
                break;
            case JsonValueKind.String:
                e.Emit(String(value.GetString()!));
                break;
            case JsonValueKind.Null:
                e.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            default: // numbers and booleans, as JSON wrote them
                e.Emit(new Scalar(null, null, value.GetRawText(), ScalarStyle.Plain, true, false));
                break;
        }
    }

    private static Scalar String(string text)
    {
        var style = text.Contains('\n') && !text.Split('\n').Any(l => l.EndsWith(' ') || l.Contains('\t')) && !text.Any(c => char.IsControl(c) && c != '\n')
            ? ScalarStyle.Literal
            : SafePlain().IsMatch(text) && !Ambiguous().IsMatch(text) ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted;
        return new Scalar(null, null, text, style, style == ScalarStyle.Plain, style != ScalarStyle.Plain);
    }

    // Plain scalars that every YAML 1.1/1.2 reader takes as the same string.
    [GeneratedRegex(@"^[A-Za-z_/][A-Za-z0-9_./@-]*$")]
    private static partial Regex SafePlain();

    [GeneratedRegex("^(?i:y|n|yes|no|on|off|true|false|null)$")]
    private static partial Regex Ambiguous();
}
