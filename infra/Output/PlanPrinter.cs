using ScyllaApocryph.Engine.Deployment;

namespace ScyllaApocryph.Infra.Output;

/// <summary>Prints a plan (or the changes a run made) for people: one line per changing resource, its property diff and notes,
/// and any unchanged resource that has notes.</summary>
internal static class PlanPrinter
{
    public static void Print(TextWriter w, DeploymentResult result, string heading, bool preview, bool showSecrets = false)
    {
        w.WriteLine(heading);
        static bool Changing(StepOutcome o) =>
            o.Status is StepStatus.Failed || o.Step.Kind switch { StepKind.Same => false, StepKind.Refresh => o.Step.Reason is not null, _ => true };
        if (!result.Outcomes.Any(Changing)) w.WriteLine("  no changes");
        // An unchanged resource is shown only for its notes: they carry warnings such as a CA near its expiry.
        var shown = result.Outcomes.Where(o => Changing(o) || o.Step.Notes.Count > 0).ToList();
        var typeWidth = shown.Select(o => o.Step.Type.Length).DefaultIfEmpty(0).Max();
        foreach (var o in shown)
        {
            var verb = o.Status is StepStatus.Failed or StepStatus.Skipped ? StepText.Done(o) : preview ? StepText.Planned(o.Step.Kind) : StepText.Done(o);
            w.WriteLine($"  {StepText.Symbol(o.Step.Kind),-2} {verb,-9} {o.Step.Type.PadRight(typeWidth)} {o.Step.Name}");
            if (o.Step.Reason is { } reason) w.WriteLine($"        ({reason})");
            foreach (var change in o.Step.Changes.Where(_ => o.Step.Kind is StepKind.Update or StepKind.Replace or StepKind.Refresh))
                w.WriteLine("        " + change.Describe(showSecrets));
            foreach (var note in o.Step.Notes) w.WriteLine("        " + note);
            if (o.Error is { } error) w.WriteLine($"        error: {error}");
        }
        w.WriteLine((preview ? "Plan: " : "Resources: ") + StepText.Summary(result, preview));
    }
}
