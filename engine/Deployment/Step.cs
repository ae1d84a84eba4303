using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Engine.Deployment;

public enum StepKind
{
    Same,
    Create,
    Update,
    Replace,
    Delete,
    Refresh,
}

public enum StepStatus
{
    /// <summary>Preview only: the step would run.</summary>
    Planned,
    Succeeded,
    Failed,

    /// <summary>Not run because something it depends on failed.</summary>
    Skipped,
}

/// <summary>One key that differs between the recorded and the desired (or live) properties.</summary>
public sealed record PropertyChange(string Key, PropertyValue? Old, PropertyValue? New)
{
    public string Describe(bool showSecrets = false) => (Old, New) switch
    {
        (null, { } n) => $"+ {Key}: {PropertyFormatter.Format(n, showSecrets)}",
        ({ } o, null) => $"- {Key}: {PropertyFormatter.Format(o, showSecrets)}",
        _ => $"~ {Key}: {PropertyFormatter.Format(Old!, showSecrets)} => {PropertyFormatter.Format(New!, showSecrets)}",
    };
}

/// <summary>What the engine will do (or did) to one resource.</summary>
/// <param name="Reason">Why, when it is not obvious (an interrupted operation being resumed, a replacement's trigger).</param>
public sealed record Step(
    StepKind Kind,
    Urn Urn,
    string Type,
    string? Provider,
    IReadOnlyList<PropertyChange> Changes,
    IReadOnlyList<string> Notes,
    string? Reason = null)
{
    public string Name => Urn.Name;
}

public sealed record StepOutcome(Step Step, StepStatus Status, TimeSpan Elapsed, string? Error = null);

/// <summary>The result of a preview, up, destroy or refresh.</summary>
public sealed record DeploymentResult(IReadOnlyList<StepOutcome> Outcomes, PropertyMap Outputs)
{
    public bool Succeeded => Outcomes.All(o => o.Status is StepStatus.Succeeded or StepStatus.Planned);

    public int Count(StepKind kind) => Outcomes.Count(o => o.Step.Kind == kind);

    public int Count(StepStatus status) => Outcomes.Count(o => o.Status == status);

    /// <summary>True if anything other than "same" is (or was) to be done.</summary>
    public bool HasChanges => Outcomes.Any(o => o.Step.Kind != StepKind.Same);
}

/// <summary>Receives progress as steps start and finish (from several threads at once).</summary>
public interface IDeploymentObserver
{
    void StepStarted(Step step);

    void StepFinished(StepOutcome outcome);
}

public sealed class NullObserver : IDeploymentObserver
{
    public static readonly NullObserver Instance = new();

    public void StepStarted(Step step)
    {
    }

    public void StepFinished(StepOutcome outcome)
    {
    }
}
