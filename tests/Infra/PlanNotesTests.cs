using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Infra.Output;

namespace ScyllaApocryph.Tests.Infra;

public sealed class PlanNotesTests
{
    private static StepOutcome Outcome(StepKind kind, string name, params string[] notes) =>
        new(new Step(kind, Urn.Create("s", "p", null, "tls:index:CertificateAuthority", name), "tls:index:CertificateAuthority", "_tls", [], notes), StepStatus.Planned, TimeSpan.Zero);

    private static string Print(params StepOutcome[] outcomes)
    {
        var w = new StringWriter();
        PlanPrinter.Print(w, new DeploymentResult(outcomes, PropertyMap.Empty), "Preview:", preview: true);
        return w.ToString();
    }

    [Fact]
    public void An_unchanged_resource_with_a_note_is_shown_with_its_note_so_a_CA_expiry_warning_is_seen()
    {
        var text = Print(Outcome(StepKind.Same, "demo-ca", "the TLS CA expires at 2026-03-01T00:00:00Z; raise 'rotation'"));

        Assert.Contains("no changes", text);
        Assert.Contains("demo-ca", text);
        Assert.Contains("the TLS CA expires at 2026-03-01T00:00:00Z", text);
    }

    [Fact]
    public void An_unchanged_resource_without_notes_stays_hidden()
    {
        var text = Print(Outcome(StepKind.Same, "quiet-ca"), Outcome(StepKind.Create, "new-ca"));

        Assert.DoesNotContain("quiet-ca", text);
        Assert.Contains("new-ca", text);
        Assert.DoesNotContain("no changes", text);
    }

    [Fact]
    public async Task Up_without_a_preview_still_prints_the_notes_of_unchanged_resources_after_its_progress()
    {
        var w = new StringWriter();
        var view = new ProgressView(w, live: false);

        await view.RunAsync(Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(w) }), () =>
        {
            view.StepFinished(Outcome(StepKind.Same, "quiet-ca"));
            view.StepFinished(Outcome(StepKind.Same, "demo-ca", "the TLS CA expires at 2026-03-01T00:00:00Z; raise 'rotation'"));
            return Task.FromResult(0);
        });

        Assert.Contains("note: tls:index:CertificateAuthority demo-ca: the TLS CA expires at 2026-03-01T00:00:00Z", w.ToString());
        Assert.DoesNotContain("quiet-ca", w.ToString());
    }
}
