using System.Text.Json;

namespace ScyllaApocryph.Agent;

/// <summary>One JSON object per line on standard output: what the agent did and decided, with the reason.</summary>
public sealed class JsonLog(string slot)
{
    private static readonly JsonSerializerOptions Compact = new(AgentConfig.Json) { WriteIndented = false };

    private readonly Lock _gate = new();

    public void Event(string @event, string message, object? details = null)
    {
        var line = JsonSerializer.Serialize(new { ts = DateTimeOffset.UtcNow, slot, @event, message, details }, Compact);
        lock (_gate)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    public void Info(string message) => Event("info", message);
}
