using System.Collections;
using System.Collections.Immutable;

namespace ScyllaApocryph.Engine.Values;

/// <summary>An immutable, ordinally sorted map of property names to values; equal maps compare equal.</summary>
public sealed class PropertyMap : IReadOnlyDictionary<string, PropertyValue>, IEquatable<PropertyMap>
{
    public static readonly PropertyMap Empty = new(ImmutableSortedDictionary.Create<string, PropertyValue>(StringComparer.Ordinal));

    private readonly ImmutableSortedDictionary<string, PropertyValue> _items;

    private PropertyMap(ImmutableSortedDictionary<string, PropertyValue> items) => _items = items;

    public static PropertyMap Of(params (string Key, PropertyValue Value)[] items) =>
        From(items.Select(i => KeyValuePair.Create(i.Key, i.Value)));

    public static PropertyMap From(IEnumerable<KeyValuePair<string, PropertyValue>> items) =>
        new(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, items));

    public PropertyMap With(string key, PropertyValue value) => new(_items.SetItem(key, value));

    public PropertyMap Without(string key) => new(_items.Remove(key));

    public PropertyMap MapValues(Func<PropertyValue, PropertyValue> map) =>
        new(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, _items.Select(kv => KeyValuePair.Create(kv.Key, map(kv.Value)))));

    public PropertyValue? Get(string key) => _items.TryGetValue(key, out var v) ? v : null;

    public string? GetString(string key) => Get(key)?.AsString;

    public PropertyValue this[string key] => _items[key];

    public IEnumerable<string> Keys => _items.Keys;

    public IEnumerable<PropertyValue> Values => _items.Values;

    public int Count => _items.Count;

    public bool ContainsKey(string key) => _items.ContainsKey(key);

    public bool TryGetValue(string key, out PropertyValue value) => _items.TryGetValue(key, out value!);

    public IEnumerator<KeyValuePair<string, PropertyValue>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(PropertyMap? other) =>
        other is not null && other._items.Count == _items.Count &&
        _items.All(kv => other._items.TryGetValue(kv.Key, out var v) && Equals(kv.Value, v));

    public override bool Equals(object? obj) => obj is PropertyMap m && Equals(m);

    public override int GetHashCode() => _items.Aggregate(17, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value));

    public override string ToString() => PropertyFormatter.Format(new ObjectValue(this));
}
