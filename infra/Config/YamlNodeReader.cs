using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Infra.Config;

/// <summary>
/// Reads one YAML mapping while tracking its key path, so every problem is reported as
/// <c>path.to.key: what is wrong</c>. Problems are collected, not thrown: validation reports them all at once.
/// </summary>
internal sealed class YamlNodeReader(YamlMappingNode node, string path, List<string> errors)
{
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public string Path => path;

    public List<string> Errors => errors;

    public void Error(string key, string message) => errors.Add($"{Join(key)}: {message}");

    public string? String(string key, bool required = false)
    {
        var value = Scalar(key, required, "a string");
        return value is null ? null : value.Value;
    }

    public int? Int(string key, bool required = false, int? min = null, int? max = null)
    {
        var value = Scalar(key, required, "an integer");
        if (value is null) return null;
        if (!int.TryParse(value.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
        {
            Error(key, $"must be an integer, got '{value.Value}'");
            return null;
        }
        if (n < min || n > max)
        {
            Error(key, max is null ? $"must be >= {min}" : min is null ? $"must be <= {max}" : $"must be between {min} and {max}; got {n}");
            return null;
        }
        return n;
    }

    public bool? Bool(string key)
    {
        var value = Scalar(key, false, "true or false");
        if (value is null) return null;
        if (value.Value is "true" or "false") return value.Value == "true";
        Error(key, $"must be true or false, got '{value.Value}'");
        return null;
    }

    /// <summary>A number, or a Kubernetes-style quantity; see <see cref="Quantity"/>.</summary>
    public double? Quantity(string key, bool required, Func<string, double?> parse, string expected)
    {
        var value = Scalar(key, required, expected);
        if (value is null) return null;
        var parsed = parse(value.Value!);
        if (parsed is null) Error(key, $"must be {expected}, got '{value.Value}'");
        return parsed;
    }

    /// <param name="resetPath">Report the child's keys without this key's path (for the <c>config:</c> envelope).</param>
    public IReadOnlyList<string>? StringList(string key)
    {
        var child = Child(key, false, "a list of strings");
        if (child is null) return null;
        if (child is YamlSequenceNode seq && seq.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }))
            return [.. seq.Children.Select(c => ((YamlScalarNode)c).Value!)];
        Error(key, "must be a list of strings");
        return null;
    }

    public YamlNodeReader? Map(string key, bool required = false, bool resetPath = false)
    {
        var child = Child(key, required, "a mapping");
        if (child is null) return null;
        if (child is YamlMappingNode map) return new YamlNodeReader(map, resetPath ? "" : Join(key), errors);
        Error(key, "must be a mapping");
        return null;
    }

    public IReadOnlyList<YamlNodeReader> ListOfMaps(string key, bool required = false)
    {
        var child = Child(key, required, "a list");
        if (child is null) return [];
        if (child is not YamlSequenceNode seq)
        {
            Error(key, "must be a list");
            return [];
        }
        var result = new List<YamlNodeReader>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (seq.Children[i] is YamlMappingNode item) result.Add(new YamlNodeReader(item, $"{Join(key)}[{i}]", errors));
            else errors.Add($"{Join(key)}[{i}]: must be a mapping");
        }
        return result;
    }

    /// <summary>Every key of this mapping with its reader, for maps keyed by name (like providers).</summary>
    public IEnumerable<(string Key, YamlNodeReader? Reader)> Entries()
    {
        foreach (var (k, v) in node.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? "";
            _known.Add(key);
            yield return (key, v is YamlMappingNode m ? new YamlNodeReader(m, Join(key), errors) : null);
        }
    }

    /// <summary>Reports every key that no reader call asked for.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var k in node.Children.Keys)
        {
            var key = (k as YamlScalarNode)?.Value ?? k.ToString();
            if (!_known.Contains(key))
                errors.Add($"{Join(key)}: unknown key (known keys here: {string.Join(", ", _known.Order(StringComparer.Ordinal))})");
        }
    }

    private YamlScalarNode? Scalar(string key, bool required, string expected)
    {
        var child = Child(key, required, expected);
        if (child is null) return null;
        if (child is YamlScalarNode scalar && scalar.Value is not null && !(scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is "" or "~" or "null"))
            return scalar;
        Error(key, $"must be {expected}");
        return null;
    }

    private YamlNode? Child(string key, bool required, string expected)
    {
        _known.Add(key);
        if (node.Children.TryGetValue(new YamlScalarNode(key), out var child)) return child;
        if (required) Error(key, $"is required ({expected})");
        return null;
    }

    private string Join(string key) => path.Length == 0 ? key : $"{path}.{key}";
}
