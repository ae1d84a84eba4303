using System.Text.Json;
using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Infra.Output;

/// <summary>The <c>--json</c> output: one JSON document per command; secrets redacted unless asked for.</summary>
internal static class JsonReport
{
    public static void Write(TextWriter output, string command, string stack, DeploymentResult result, bool preview, bool showSecrets)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("command", command);
            w.WriteString("stack", stack);
            w.WriteBoolean("preview", preview);
            w.WriteBoolean("succeeded", result.Succeeded);
            w.WriteString("summary", StepText.Summary(result, preview));
            w.WriteStartArray("steps");
            foreach (var o in result.Outcomes)
            {
                w.WriteStartObject();
                w.WriteString("urn", o.Step.Urn.Value);
                w.WriteString("type", o.Step.Type);
                w.WriteString("name", o.Step.Name);
                w.WriteString("op", StepText.Planned(o.Step.Kind));
                w.WriteString("status", o.Status.ToString().ToLowerInvariant());
                w.WriteNumber("elapsedSeconds", Math.Round(o.Elapsed.TotalSeconds, 3));
                if (o.Step.Reason is not null) w.WriteString("reason", o.Step.Reason);
                if (o.Error is not null) w.WriteString("error", o.Error);
                if (o.Step.Changes.Count > 0)
                {
                    w.WriteStartArray("changes");
                    foreach (var c in o.Step.Changes)
                    {
                        w.WriteStartObject();
                        w.WriteString("key", c.Key);
                        if (c.Old is not null)
                        {
                            w.WritePropertyName("old");
                            PropertyJson.WritePlain(w, c.Old, showSecrets);
                        }
                        if (c.New is not null)
                        {
                            w.WritePropertyName("new");
                            PropertyJson.WritePlain(w, c.New, showSecrets);
                        }
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                if (o.Step.Notes.Count > 0)
                {
                    w.WriteStartArray("notes");
                    foreach (var n in o.Step.Notes) w.WriteStringValue(n);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WritePropertyName("outputs");
            PropertyJson.WritePlain(w, result.Outputs, showSecrets);
            w.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Bad input (exit 2) as one document: every problem found, each naming its key or argument.</summary>
    public static void WriteErrors(TextWriter output, string command, string? stack, IReadOnlyList<string> errors)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("command", command);
            if (stack is not null) w.WriteString("stack", stack);
            w.WriteBoolean("succeeded", false);
            w.WriteNumber("exitCode", 2);
            w.WriteStartArray("errors");
            foreach (var error in errors) w.WriteStringValue(error);
            w.WriteEndArray();
            w.WriteBoolean("changed", false);
            w.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    public static void WriteOutputs(TextWriter output, PropertyMap outputs, bool showSecrets)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true })) PropertyJson.WritePlain(w, outputs, showSecrets);
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
