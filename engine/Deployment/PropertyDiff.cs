using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Engine.Deployment;

/// <summary>A readable key-by-key diff; nested objects are compared field by field with dotted paths.</summary>
public static class PropertyDiff
{
    public static IReadOnlyList<PropertyChange> Compute(PropertyMap olds, PropertyMap news, IEnumerable<string>? onlyKeys = null)
    {
        var changes = new List<PropertyChange>();
        var keys = onlyKeys?.ToHashSet();
        Walk("", olds, news, changes, keys);
        return changes;
    }

    private static void Walk(string prefix, PropertyMap olds, PropertyMap news, List<PropertyChange> changes, HashSet<string>? keys)
    {
        foreach (var key in olds.Keys.Union(news.Keys).Order(StringComparer.Ordinal))
        {
            if (prefix.Length == 0 && keys is not null && !keys.Contains(key)) continue;
            var path = prefix + key;
            var o = olds.Get(key);
            var n = news.Get(key);
            if (Equals(o, n) && n?.ContainsUnknowns != true) continue;
            if (o is ObjectValue oo && n is ObjectValue no) Walk(path + ".", oo.Map, no.Map, changes, null);
            else changes.Add(new PropertyChange(path, o, n));
        }
    }
}
