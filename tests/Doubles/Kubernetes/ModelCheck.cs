using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;

namespace ScyllaApocryph.Tests.Doubles.Kubernetes;

/// <summary>
/// The API server's checks on an object, as far as this project's objects meet them: decoding into the kind's
/// model (the KubernetesClient model types stand in for the Go types), unknown fields, required fields, and the
/// StatefulSet fields that cannot change after creation.
/// </summary>
internal static class ModelCheck
{
    private static readonly System.Reflection.MethodInfo Deserialize =
        typeof(KubernetesJson).GetMethod(nameof(KubernetesJson.Deserialize), [typeof(string), typeof(JsonSerializerOptions)])!;

    /// <summary>400 for a value the model cannot decode; an unknown field is a warning, or 400 when strict
    /// (https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation).</summary>
    public static (int, JsonObject)? Check(ApiResource resource, JsonObject obj, bool strict, List<string> warnings)
    {
        object? model;
        try
        {
            model = Deserialize.MakeGenericMethod(resource.Model).Invoke(null, [obj.ToJsonString(), null]);
        }
        catch (System.Reflection.TargetInvocationException wrapped) when (wrapped.InnerException is JsonException or FormatException or InvalidOperationException)
        {
            var e = wrapped.InnerException;
            return KubernetesApiDouble.Status(400, "BadRequest", $"{resource.Kind} in version \"{resource.ApiVersion}\" cannot be handled as a {resource.Kind}: {e.Message}");
        }
        var known = Leaves(JsonNode.Parse(KubernetesJson.Serialize(model)));
        var unknown = Leaves(obj).Where(p => !known.Any(k => k == p || k.StartsWith(p + ".", StringComparison.Ordinal) || p.StartsWith(k + ".", StringComparison.Ordinal))).ToList();
        if (unknown.Count == 0) return null;
        var messages = unknown.Select(p => $"unknown field \"{p}\"").ToList();
        if (strict) return KubernetesApiDouble.Status(400, "BadRequest", $".{resource.Kind} strict decoding error: {string.Join(", ", messages)}");
        warnings.AddRange(messages);
        return null;
    }

    private static List<string> Leaves(JsonNode? node, string prefix = "")
    {
        var result = new List<string>();
        switch (node)
        {
            case JsonObject o when o.Count > 0:
                foreach (var (k, v) in o) result.AddRange(Leaves(v, prefix.Length == 0 ? k : prefix + "." + k));
                break;
            case JsonArray a:
                foreach (var item in a) result.AddRange(Leaves(item, prefix));
                if (a.Count == 0) result.Add(prefix);
                break;
            default:
                result.Add(prefix);
                break;
        }
        return result.Distinct().ToList();
    }

    /// <summary>422 Invalid for what validation requires (k8s.io/kubernetes pkg/apis/*/validation at v1.31).</summary>
    public static (int, JsonObject)? Required(ApiResource resource, JsonObject obj)
    {
        var errors = new List<string>();
        if (resource.Kind == "StatefulSet")
        {
            var spec = obj["spec"];
            if (spec?["selector"] is null) errors.Add("spec.selector: Required value");
            if (spec?["template"] is null) errors.Add("spec.template: Required value");
            var selector = spec?["selector"]?["matchLabels"] as JsonObject;
            var labels = spec?["template"]?["metadata"]?["labels"] as JsonObject;
            if (selector is not null && selector.Any(kv => labels?[kv.Key]?.GetValue<string>() != kv.Value?.GetValue<string>()))
                errors.Add("spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`");
        }
        foreach (var list in new[] { "containers", "initContainers" })
            if (PodSpec(resource, obj)?[list] is JsonArray containers)
                foreach (var c in containers)
                {
                    if (c?["name"] is null) errors.Add($"{list}.name: Required value");
                    if (c?["image"] is null) errors.Add($"{list}.image: Required value");
                }
        if (resource.Kind == "Service" && obj["spec"]?["ports"] is JsonArray ports && ports.Any(p => p?["port"] is null))
            errors.Add("spec.ports.port: Required value");
        return errors.Count == 0 ? null
            : KubernetesApiDouble.Status(422, "Invalid", $"{resource.Kind} \"{obj["metadata"]?["name"]}\" is invalid: {string.Join(", ", errors)}");
    }

    private static JsonNode? PodSpec(ApiResource resource, JsonObject obj) => resource.Kind switch
    {
        "Pod" => obj["spec"],
        "StatefulSet" or "DaemonSet" => obj["spec"]?["template"]?["spec"],
        _ => null,
    };

    /// <summary>A StatefulSet's spec may change only in these fields (apps validation, ValidateStatefulSetUpdate).</summary>
    private static readonly string[] StatefulSetMutable =
        ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

    public static (int, JsonObject)? Immutable(ApiResource resource, JsonObject live, JsonObject next)
    {
        if (resource.Kind != "StatefulSet") return null;
        var before = (live["spec"] as JsonObject ?? []).Where(kv => !StatefulSetMutable.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var after = (next["spec"] as JsonObject ?? []).Where(kv => !StatefulSetMutable.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var same = before.Count == after.Count && before.All(kv => after.TryGetValue(kv.Key, out var v) && JsonNode.DeepEquals(kv.Value, v));
        return same ? null : KubernetesApiDouble.Status(422, "Invalid",
            $"StatefulSet.apps \"{next["metadata"]?["name"]}\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', " +
            "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
    }
}
