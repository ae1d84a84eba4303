using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Engine.Resources;

/// <summary>
/// One resource of the desired graph. A declaration without a provider is a component: it groups children
/// and has no life of its own outside the state file.
/// </summary>
public sealed record ResourceDeclaration(
    Urn Urn,
    string Type,
    string Name,
    Urn? Parent,
    string? Provider,
    PropertyMap Inputs,
    ResourceOptions Options)
{
    public bool IsComponent => Provider is null;

    /// <summary>Everything that must exist first: the parent, explicit dependsOn, and every referenced resource.</summary>
    public IReadOnlyList<Urn> Dependencies =>
        (Parent is null ? [] : new[] { Parent })
            .Concat(Options.DependsOn)
            .Concat(Inputs.Values.SelectMany(v => v.References).Select(r => r.Urn))
            .Distinct()
            .ToList();

    /// <summary>A reference to one of this resource's outputs, for use as another resource's input.</summary>
    public OutputReference Output(string key) => new(Urn, key);
}
