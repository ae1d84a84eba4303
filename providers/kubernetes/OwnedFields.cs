using System.Text.Json.Nodes;

namespace ScyllaApocryph.Providers.Kubernetes;

/// <summary>
/// What this program owns of a live object, read from its managedFields (fieldsV1 trees: <c>f:&lt;field&gt;</c>,
/// <c>k:{keys}</c> for an item of an associative list, <c>v:&lt;value&gt;</c> for an item of a set, <c>.</c> for the
/// item itself; https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management). Status written
/// by controllers lives under the status subresource and other managers' entries, so it is never part of the view.
/// </summary>
public static class OwnedFields
{
    /// <summary>
    /// The live values of every field our manager owns, plus the fields of our manifest that another manager has
    /// taken (an Update such as kubectl edit takes ownership of what it changes), and who took them.
    /// </summary>
    public static (JsonObject Live, IReadOnlyList<string> TakenBy) View(JsonObject live, JsonObject manifest, string manager)
    {
        var entries = live["metadata"]?["managedFields"] as JsonArray ?? [];
        var ours = new JsonObject();
        var takenBy = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries.OfType<JsonObject>())
        {
            if (entry["subresource"] is not null || entry["fieldsV1"] is not JsonObject fields) continue;
            var name = entry["manager"]?.GetValue<string>();
            if (name == manager && entry["operation"]?.GetValue<string>() == "Apply")
            {
                MergeTrees(ours, fields);
                continue;
            }
            var taken = Restrict(fields, manifest);
            if (taken is null) continue;
            MergeTrees(ours, taken);
            takenBy.Add($"{name} ({entry["operation"]})");
        }
        var view = Project(live, ours) as JsonObject ?? [];
        return (view, [.. takenBy]);
    }

    /// <summary>Paths where the manifest and the live view disagree, as <c>.spec.replicas</c>.</summary>
    public static IReadOnlyList<string> Drift(JsonObject manifest, JsonObject view)
    {
        var drift = new List<string>();
        foreach (var (key, value) in manifest)
        {
            if (key is "apiVersion" or "kind" or "status") continue;
            if (key == "metadata")
            {
                foreach (var m in new[] { "labels", "annotations" })
                    Compare(value?[m], view["metadata"]?[m], ".metadata." + m, drift);
                continue;
            }
            Compare(value, view[key], "." + key, drift);
        }
        return drift;
    }

    private static void Compare(JsonNode? want, JsonNode? have, string path, List<string> drift)
    {
        switch (want)
        {
            case null:
                return;
            case JsonObject wo:
                if (have is not JsonObject ho)
                {
                    if (wo.Count > 0 || have is not null) drift.Add(path);
                    else if (have is null) drift.Add(path);
                    return;
                }
                foreach (var (k, v) in wo) Compare(v, ho[k], path + "." + k, drift);
                return;
            case JsonArray wa:
                if (have is not JsonArray ha || ha.Count != wa.Count)
                {
                    drift.Add(path);
                    return;
                }
                for (var i = 0; i < wa.Count; i++)
                    Compare(wa[i], ha[i], $"{path}[{ItemLabel(wa[i], i)}]", drift);
                return;
            default:
                if (!JsonNode.DeepEquals(want, have)) drift.Add(path);
                return;
        }
    }

    private static string ItemLabel(JsonNode? item, int index) =>
        item is JsonObject o && o["name"] is JsonValue name ? $"name={name}" : index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static JsonNode? Project(JsonNode? live, JsonObject tree)
    {
        switch (live)
        {
            case JsonObject lo:
            {
                var result = new JsonObject();
                foreach (var (element, sub) in tree)
                {
                    if (!element.StartsWith("f:", StringComparison.Ordinal) || !lo.TryGetPropertyValue(element[2..], out var child)) continue;
                    result[element[2..]] = sub is JsonObject { Count: > 0 } st ? Project(child, st) : child?.DeepClone();
                }
                return result;
            }
            case JsonArray la:
            {
                var result = new JsonArray();
                foreach (var item in la)
                {
                    var match = tree.FirstOrDefault(kv => Matches(item, kv.Key));
                    if (match.Key is null) continue;
                    result.Add(match.Key.StartsWith("v:", StringComparison.Ordinal) || match.Value is not JsonObject { Count: > 0 } st
                        ? item?.DeepClone()
                        : Project(item, st));
                }
                return result;
            }
            default:
                return live?.DeepClone();
        }
    }

    /// <summary>Whether a list item is the one a <c>k:</c> or <c>v:</c> element names. A key field the item leaves
    /// out counts as its API default (protocol: TCP, set by the API server's defaulting).</summary>
    private static bool Matches(JsonNode? item, string element)
    {
        if (element.StartsWith("v:", StringComparison.Ordinal)) return JsonNode.DeepEquals(item, JsonNode.Parse(element[2..]));
        if (!element.StartsWith("k:", StringComparison.Ordinal) || item is not JsonObject o) return false;
        return JsonNode.Parse(element[2..])!.AsObject().All(kv =>
            JsonNode.DeepEquals(o[kv.Key], kv.Value) || (o[kv.Key] is null && kv.Key == "protocol" && kv.Value?.GetValue<string>() == "TCP"));
    }

    /// <summary>The part of a fieldsV1 tree that names fields the manifest also sets; null if none.</summary>
    private static JsonObject? Restrict(JsonObject tree, JsonNode? manifest)
    {
        var result = new JsonObject();
        foreach (var (element, sub) in tree)
        {
            if (element == ".") continue;
            JsonNode? child;
            if (element.StartsWith("f:", StringComparison.Ordinal))
            {
                if (manifest is not JsonObject mo || !mo.TryGetPropertyValue(element[2..], out child) || child is null) continue;
                if (manifest == manifest.Root && element[2..] is "apiVersion" or "kind" or "status") continue;
            }
            else
            {
                child = (manifest as JsonArray)?.FirstOrDefault(i => Matches(i, element));
                if (child is null) continue;
            }
            if (sub is not JsonObject { Count: > 0 } st)
            {
                result[element] = new JsonObject();
                continue;
            }
            if (Restrict(st, child) is { } inner) result[element] = inner;
        }
        return result.Count == 0 ? null : result;
    }

    private static void MergeTrees(JsonObject into, JsonObject from)
    {
        foreach (var (element, sub) in from)
        {
            if (into[element] is JsonObject existing && sub is JsonObject s) MergeTrees(existing, s);
            else into[element] = sub?.DeepClone();
        }
    }
}
