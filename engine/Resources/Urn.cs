namespace ScyllaApocryph.Engine.Resources;

/// <summary>
/// A resource's unique name, shaped like Pulumi's:
/// <c>urn:pulumi:&lt;stack&gt;::&lt;project&gt;::&lt;parent-type&gt;$&lt;type&gt;::&lt;name&gt;</c>.
/// The qualified type chains the types of all ancestors, so two children named alike under different
/// parents stay distinct.
/// </summary>
public sealed record Urn(string Value) : IComparable<Urn>
{
    public static Urn Create(string stack, string project, string? parentQualifiedType, string type, string name)
    {
        TypeToken.Validate(type);
        if (string.IsNullOrWhiteSpace(name) || name.Contains("::"))
            throw new ArgumentException($"resource name '{name}' must be non-empty and must not contain '::'", nameof(name));
        var qualified = parentQualifiedType is null ? type : parentQualifiedType + "$" + type;
        return new Urn($"urn:pulumi:{stack}::{project}::{qualified}::{name}");
    }

    /// <summary>The stack the resource belongs to.</summary>
    public string Stack => Value.Split("::")[0]["urn:pulumi:".Length..];

    /// <summary>The chain of types, e.g. <c>scylla:index:Cluster$scylla:index:Node</c>.</summary>
    public string QualifiedType => Value.Split("::")[2];

    public string Type => QualifiedType.Split('$')[^1];

    public string Name => Value.Split("::")[3];

    public int CompareTo(Urn? other) => string.CompareOrdinal(Value, other?.Value);

    public override string ToString() => Value;
}

/// <summary>Type tokens have Pulumi's shape <c>package:module:Type</c>.</summary>
public static class TypeToken
{
    public static void Validate(string token)
    {
        var parts = token.Split(':');
        if (parts.Length != 3 || parts.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException($"type token '{token}' must have the form package:module:Type");
    }

    public static string Package(string token) => token.Split(':')[0];
}
