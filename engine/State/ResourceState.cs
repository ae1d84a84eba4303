using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Engine.State;

/// <summary>What the state records of one resource.</summary>
/// <param name="Id">The provider's id; null for components.</param>
/// <param name="Delete">True for the old half of a replacement that still has to be deleted.</param>
public sealed record ResourceState(
    Urn Urn,
    string Type,
    string? Provider,
    string? Id,
    Urn? Parent,
    PropertyMap Inputs,
    PropertyMap Outputs,
    IReadOnlyList<Urn> Dependencies,
    bool Protect = false,
    bool Delete = false,
    TimeSpan? DeleteTimeout = null)
{
    public bool IsComponent => Provider is null;

    public bool Equals(ResourceState? other) =>
        other is not null && Urn == other.Urn && Type == other.Type && Provider == other.Provider && Id == other.Id &&
        Parent == other.Parent && Inputs.Equals(other.Inputs) && Outputs.Equals(other.Outputs) &&
        Dependencies.SequenceEqual(other.Dependencies) && Protect == other.Protect && Delete == other.Delete &&
        DeleteTimeout == other.DeleteTimeout;

    public override int GetHashCode() => HashCode.Combine(Urn, Id, Delete);
}

/// <summary>An operation whose begin is journaled but whose end is not: the process stopped in between.</summary>
/// <param name="Operation">create, update or delete.</param>
/// <param name="Resource">What the operation was given; for a create the id is not known.</param>
public sealed record PendingOperation(string Operation, ResourceState Resource);
