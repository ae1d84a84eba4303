using ScyllaApocryph.Engine.Resources;

namespace ScyllaApocryph.Engine.Deployment;

/// <summary>
/// The plan a person confirmed, as a constraint on what an apply may do (Pulumi's constrained plans,
/// pkg/resource/deploy/plan.go: a step outside the plan is an error, not an action). A step is allowed when the plan
/// has the same kind of step for its resource, touching no key the plan did not show, with the same notes (which
/// carry a reconciler's actions); doing nothing is always allowed. Keys a preview could not know yet (values computed
/// during the apply) were shown as changing, so an apply that finds fewer changes is within the plan.
/// </summary>
public sealed class ConfirmedPlan
{
    private readonly Dictionary<Urn, List<Step>> _steps;

    public ConfirmedPlan(DeploymentResult preview) =>
        _steps = preview.Outcomes.GroupBy(o => o.Step.Urn).ToDictionary(g => g.Key, g => g.Select(o => o.Step).ToList());

    /// <summary>Why <paramref name="step"/> is outside the plan, or null if the plan allows it.</summary>
    public string? Violation(Step step)
    {
        if (step.Kind == StepKind.Same) return null;
        var planned = _steps.GetValueOrDefault(step.Urn) ?? [];
        if (planned.Any(p => Allows(p, step))) return null;
        var was = planned.Count == 0 ? "nothing" : string.Join(" or ", planned.Select(Describe));
        return $"{step.Urn.Name}: the confirmed plan had {was}, but now it would {Describe(step)}";
    }

    /// <summary>Every step of <paramref name="replan"/> the plan does not allow, each described.</summary>
    public IReadOnlyList<string> Differences(DeploymentResult replan) =>
        [.. replan.Outcomes.Select(o => Violation(o.Step)).OfType<string>()];

    // An update where a replacement was shown is within the plan: a preview shows a replacement when a replace key's
    // value is still unknown, and the apply may find it unchanged.
    private static bool Allows(Step planned, Step actual) =>
        (planned.Kind == actual.Kind || (planned.Kind == StepKind.Replace && actual.Kind == StepKind.Update)) &&
        actual.Changes.Select(c => c.Key).All(k => planned.Changes.Any(c => c.Key == k)) &&
        planned.Notes.SequenceEqual(actual.Notes);

    private static string Describe(Step s)
    {
        var text = s.Kind.ToString().ToLowerInvariant();
        if (s.Changes.Count > 0) text += " (" + string.Join(", ", s.Changes.Select(c => c.Key)) + ")";
        if (s.Notes.Count > 0) text += ": " + string.Join("; ", s.Notes);
        return text;
    }
}

/// <summary>What an apply was about to do differs from what was confirmed; nothing of it was done.</summary>
public sealed class PlanChangedException(IReadOnlyList<string> differences)
    : Exception("the plan changed after it was confirmed, so nothing was applied:" + Environment.NewLine +
                string.Join(Environment.NewLine, differences.Select(d => "  " + d)) + Environment.NewLine +
                "Run up again to see and confirm the new plan.")
{
    public IReadOnlyList<string> Differences { get; } = differences;
}
