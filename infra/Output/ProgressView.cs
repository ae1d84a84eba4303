using System.Collections.Concurrent;
using System.Diagnostics;
using ScyllaApocryph.Engine.Deployment;
using Spectre.Console;

namespace ScyllaApocryph.Infra.Output;

/// <summary>
/// Progress while a run applies. On a terminal: a live table, one row per resource being worked on, with status
/// and elapsed time. Otherwise: one plain line per finished step, so logs stay readable.
/// </summary>
internal sealed class ProgressView(TextWriter output, bool live) : IDeploymentObserver
{
    private readonly ConcurrentDictionary<string, Row> _rows = new();
    private readonly object _write = new();
    private readonly ConcurrentQueue<(Step Step, string Note)> _notes = new();

    public void StepStarted(Step step) => _rows[step.Urn.Value + step.Kind] = new Row(step, Stopwatch.StartNew());

    public void StepFinished(StepOutcome outcome)
    {
        if (outcome.Step.Kind == StepKind.Same && outcome.Status != StepStatus.Failed)
        {
            // Unchanged resources are not shown, but their notes are warnings (a CA near its expiry): keep them for the end.
            foreach (var note in outcome.Step.Notes) _notes.Enqueue((outcome.Step, note));
            return;
        }
        if (_rows.TryGetValue(outcome.Step.Urn.Value + outcome.Step.Kind, out var row)) row.Outcome = outcome;
        else _rows[outcome.Step.Urn.Value + outcome.Step.Kind] = new Row(outcome.Step, Stopwatch.StartNew()) { Outcome = outcome };
        if (live) return;
        lock (_write)
        {
            var line = $"  {StepText.Symbol(outcome.Step.Kind),-2} {StepText.Done(outcome),-9} {outcome.Step.Type,-28} {outcome.Step.Name}  ({outcome.Elapsed.TotalSeconds:0.00}s)";
            output.WriteLine(outcome.Error is null ? line : $"{line}: {outcome.Error}");
        }
    }

    /// <summary>Runs <paramref name="work"/>, showing the live table on a terminal.</summary>
    public async Task<T> RunAsync<T>(IAnsiConsole console, Func<Task<T>> work)
    {
        if (!live)
        {
            var plain = await work();
            WriteNotes();
            return plain;
        }
        T result = default!;
        await console.Live(Render()).AutoClear(false).StartAsync(async ctx =>
        {
            var task = work();
            while (!task.IsCompleted)
            {
                ctx.UpdateTarget(Render());
                await Task.WhenAny(task, Task.Delay(100));
            }
            ctx.UpdateTarget(Render());
            result = await task;
        });
        WriteNotes();
        return result;
    }

    private void WriteNotes()
    {
        lock (_write)
        {
            foreach (var (step, note) in _notes) output.WriteLine($"  note: {step.Type} {step.Name}: {note}");
        }
    }

    private Table Render()
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("", "status", "type", "name", "elapsed");
        foreach (var row in _rows.Values.OrderBy(r => r.Clock.Elapsed).Reverse().Take(40).OrderBy(r => r.Step.Urn.Value, StringComparer.Ordinal))
        {
            var status = row.Outcome is null ? "[yellow]running[/]"
                : row.Outcome.Status == StepStatus.Failed ? "[red]failed[/]"
                : row.Outcome.Status == StepStatus.Skipped ? "[grey]skipped[/]"
                : "[green]" + StepText.Done(row.Outcome) + "[/]";
            var elapsed = row.Outcome?.Elapsed ?? row.Clock.Elapsed;
            table.AddRow(Markup.Escape(StepText.Symbol(row.Step.Kind)), status, Markup.Escape(row.Step.Type), Markup.Escape(row.Step.Name), $"{elapsed.TotalSeconds:0.0}s");
        }
        return table;
    }

    private sealed record Row(Step Step, Stopwatch Clock)
    {
        public StepOutcome? Outcome { get; set; }
    }
}
