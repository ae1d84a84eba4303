using ScyllaApocryph.Engine.Deployment;

namespace ScyllaApocryph.Infra.Output;

/// <summary>Words and symbols for steps, shared by every human-facing view.</summary>
internal static class StepText
{
    public static string Symbol(StepKind kind) => kind switch
    {
        StepKind.Create => "+",
        StepKind.Update => "~",
        StepKind.Replace => "+-",
        StepKind.Delete => "-",
        StepKind.Refresh => "r",
        _ => " ",
    };

    public static string Planned(StepKind kind) => kind switch
    {
        StepKind.Same => "same",
        StepKind.Refresh => "read",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public static string Done(StepOutcome outcome) => outcome.Status switch
    {
        StepStatus.Failed => "failed",
        StepStatus.Skipped => "skipped",
        StepStatus.Planned => Planned(outcome.Step.Kind),
        _ => outcome.Step.Kind switch
        {
            StepKind.Create => "created",
            StepKind.Update => "updated",
            StepKind.Replace => "replaced",
            StepKind.Delete => "deleted",
            StepKind.Refresh => outcome.Step.Reason is null ? "unchanged" : "drifted",
            _ => "unchanged",
        },
    };

    public static string Summary(DeploymentResult result, bool preview)
    {
        var parts = new List<string>();
        void Add(StepKind kind, string planned, string done)
        {
            var n = result.Outcomes.Count(o => o.Step.Kind == kind && o.Status is StepStatus.Planned or StepStatus.Succeeded);
            if (n > 0) parts.Add($"{n} {(preview ? planned : done)}");
        }
        Add(StepKind.Create, "to create", "created");
        Add(StepKind.Update, "to update", "updated");
        Add(StepKind.Replace, "to replace", "replaced");
        Add(StepKind.Delete, "to delete", "deleted");
        Add(StepKind.Same, "unchanged", "unchanged");
        var read = result.Count(StepKind.Refresh);
        if (read > 0) parts.Add($"{read} read, {result.Outcomes.Count(o => o.Step.Kind == StepKind.Refresh && o.Step.Reason is not null)} drifted");
        var failed = result.Count(StepStatus.Failed);
        var skipped = result.Count(StepStatus.Skipped);
        if (failed > 0) parts.Add($"{failed} failed");
        if (skipped > 0) parts.Add($"{skipped} skipped");
        return parts.Count == 0 ? "no resources" : string.Join(", ", parts);
    }
}
