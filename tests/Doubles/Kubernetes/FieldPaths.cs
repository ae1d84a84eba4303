using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScyllaApocryph.Tests.Doubles.Kubernetes;

/// <summary>
/// Field sets as server-side apply keeps them (structured-merge-diff, the library behind the API server's
/// managedFields): a set of leaf paths whose elements are <c>f:&lt;field&gt;</c>, <c>k:{keys}</c> for an item of
/// an associative list (with a <c>.</c> leaf for the item itself), and <c>v:&lt;value&gt;</c> for an item of a set.
/// Lists are associative, sets or atomic as the OpenAPI schema's x-kubernetes-list-type / -list-map-keys say
/// (https://kubernetes.io/docs/reference/using-api/server-side-apply/#merge-strategy and the markers in
/// k8s.io/api core/v1/types.go, apps/v1/types.go at v0.31); the table below covers the kinds this project sends.
/// Paths are strings joined by <see cref="Separator"/>.
/// </summary>
public static class FieldPaths
{
    public const char Separator = '\u001f';

    /// <summary>Keys of associative lists by field name; a list not named here is atomic. Empty = a set.</summary>
    private static IReadOnlyList<string>? ListKeys(IReadOnlyList<string> fieldPath)
    {
        var field = fieldPath[^1];
        var inContainer = fieldPath.Count >= 2 && fieldPath.Take(fieldPath.Count - 1).Any(f => f is "containers" or "initContainers");
        return field switch
        {
            "containers" or "initContainers" or "ephemeralContainers" or "env" or "volumes" or "imagePullSecrets" => ["name"],
            "ports" when inContainer => ["containerPort", "protocol"],
            "ports" => ["port", "protocol"],
            "volumeMounts" => ["mountPath"],
            "volumeDevices" => ["devicePath"],
            "topologySpreadConstraints" => ["topologyKey", "whenUnsatisfiable"],
            "ownerReferences" => ["uid"],
            "conditions" => ["type"],
            "finalizers" => [],
            _ => null,
        };
    }

    /// <summary>Defaults the API server fills into a key field before it keys an item (protocol is TCP).</summary>
    private static JsonNode? KeyDefault(string key) => key == "protocol" ? JsonValue.Create("TCP") : null;

    /// <summary>The leaf paths an object sets (identity fields and status excluded, as managedFields do).</summary>
    public static HashSet<string> Of(JsonObject obj)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in obj)
        {
            if (name is "apiVersion" or "kind" or "status") continue;
            if (name == "metadata" && value is JsonObject meta)
            {
                foreach (var (m, v) in meta)
                    if (m is "labels" or "annotations" or "finalizers" or "ownerReferences")
                        Walk(v, ["metadata", m], "f:metadata" + Separator + "f:" + m, paths);
                continue;
            }
            Walk(value, [name], "f:" + name, paths);
        }
        return paths;
    }

    /// <summary>Every leaf path of a status (for the managedFields entry of a controller's status write).</summary>
    public static HashSet<string> OfStatus(JsonObject obj)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        if (obj["status"] is { } status) Walk(status, ["status"], "f:status", paths);
        return paths;
    }

    private static void Walk(JsonNode? node, List<string> fields, string path, HashSet<string> paths)
    {
        switch (node)
        {
            case JsonObject o when o.Count > 0:
                foreach (var (name, value) in o) Walk(value, [.. fields, name], path + Separator + "f:" + name, paths);
                return;
            case JsonArray a when ListKeys(fields) is { } keys:
                foreach (var item in a)
                {
                    var itemPath = path + Separator + ItemElement(item, keys);
                    if (keys.Count == 0)
                    {
                        paths.Add(itemPath);
                        continue;
                    }
                    paths.Add(itemPath + Separator + ".");
                    if (item is JsonObject io)
                        foreach (var (name, value) in io) Walk(value, [.. fields, name], itemPath + Separator + "f:" + name, paths);
                }
                return;
            default:
                paths.Add(path);
                return;
        }
    }

    private static string ItemElement(JsonNode? item, IReadOnlyList<string> keys)
    {
        if (keys.Count == 0) return "v:" + (item?.ToJsonString() ?? "null");
        var key = new JsonObject();
        foreach (var k in keys.Order(StringComparer.Ordinal))
        {
            var v = (item as JsonObject)?[k]?.DeepClone() ?? KeyDefault(k);
            if (v is not null) key[k] = v;
        }
        return "k:" + key.ToJsonString();
    }

    /// <summary>The value at a path, or null if the object has nothing there.</summary>
    public static JsonNode? Get(JsonNode? node, string path)
    {
        foreach (var element in path.Split(Separator))
        {
            if (element == ".") return node;
            node = Step(node, element, out _);
            if (node is null) return null;
        }
        return node;
    }

    private static JsonNode? Step(JsonNode? node, string element, out int index)
    {
        index = -1;
        if (element.StartsWith("f:", StringComparison.Ordinal))
            return node is JsonObject o && o.TryGetPropertyValue(element[2..], out var v) ? v : null;
        if (node is not JsonArray a) return null;
        var wanted = JsonNode.Parse(element[2..]);
        for (var i = 0; i < a.Count; i++)
        {
            var match = element[0] == 'v'
                ? JsonNode.DeepEquals(a[i], wanted)
                : wanted!.AsObject().All(kv => JsonNode.DeepEquals((a[i] as JsonObject)?[kv.Key] ?? KeyDefault(kv.Key), kv.Value));
            if (match)
            {
                index = i;
                return a[i];
            }
        }
        return null;
    }

    /// <summary>Removes what a path names (a field, a list item); empty objects left behind go too.</summary>
    public static void Remove(JsonObject root, string path)
    {
        var elements = path.Split(Separator);
        if (elements[^1] == ".") elements = elements[..^1];
        var parents = new List<(JsonNode Node, string Element)>();
        JsonNode? node = root;
        foreach (var element in elements[..^1])
        {
            parents.Add((node!, element));
            node = Step(node, element, out _);
            if (node is null) return;
        }
        RemoveChild(node, elements[^1]);
        for (var i = parents.Count - 1; i >= 0; i--)
        {
            var child = Step(parents[i].Node, parents[i].Element, out _);
            if (child is JsonObject { Count: 0 } or JsonArray { Count: 0 }) RemoveChild(parents[i].Node, parents[i].Element);
            else break;
        }
    }

    private static void RemoveChild(JsonNode? parent, string element)
    {
        if (element.StartsWith("f:", StringComparison.Ordinal)) (parent as JsonObject)?.Remove(element[2..]);
        else if (parent is JsonArray a && Step(a, element, out var index) is not null) a.RemoveAt(index);
    }

    /// <summary>Merges an applied configuration into a live object: maps field by field, associative lists by key,
    /// sets by value, anything else replaced.</summary>
    public static void Merge(JsonObject live, JsonObject config) => MergeObject(live, config, []);

    private static void MergeObject(JsonObject live, JsonObject config, List<string> fields)
    {
        foreach (var (name, value) in config)
        {
            var path = new List<string>(fields) { name };
            if (value is JsonObject co && live[name] is JsonObject lo) MergeObject(lo, co, path);
            else if (value is JsonArray ca && live[name] is JsonArray la && ListKeys(path) is { } keys) MergeList(la, ca, keys, path);
            else live[name] = value?.DeepClone();
        }
    }

    private static void MergeList(JsonArray live, JsonArray config, IReadOnlyList<string> keys, List<string> fields)
    {
        foreach (var item in config)
        {
            var existing = Step(live, ItemElement(item, keys), out _);
            if (existing is JsonObject eo && item is JsonObject io) MergeObject(eo, io, fields);
            else if (existing is null) live.Add(item?.DeepClone());
        }
    }

    /// <summary>Leaf paths to the fieldsV1 tree stored in managedFields.</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var element in path.Split(Separator))
            {
                if (node[element] is not JsonObject next) node[element] = next = new JsonObject();
                node = next;
            }
        }
        return root;
    }

    public static HashSet<string> FromFieldsV1(JsonObject tree)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        void Collect(JsonObject node, string prefix)
        {
            foreach (var (element, child) in node)
            {
                var path = prefix.Length == 0 ? element : prefix + Separator + element;
                if (child is JsonObject { Count: > 0 } c) Collect(c, path);
                else paths.Add(path);
            }
        }
        Collect(tree, "");
        return paths;
    }

    /// <summary>A path as the API server names it in a conflict: <c>.spec.template.spec.containers[name="scylla"].image</c>.</summary>
    public static string Display(string path) => string.Concat(path.Split(Separator).Where(e => e != ".").Select(e =>
        e.StartsWith("f:", StringComparison.Ordinal) ? "." + e[2..]
        : e.StartsWith("k:", StringComparison.Ordinal)
            ? "[" + string.Join(",", JsonNode.Parse(e[2..])!.AsObject().Select(kv => $"{kv.Key}={kv.Value!.ToJsonString()}")) + "]"
            : "[" + e[2..] + "]"));

    public static bool SameValue(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    public static string Canonical(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) ?? "null";
}
