using System.Text.Json;
using System.Text.Json.Nodes;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Infra.Config;

namespace ScyllaApocryph.Infra.PulumiEngine;

/// <summary>
/// The stack configuration as the Pulumi CLI hands it to a program: <c>PULUMI_CONFIG</c>, a JSON object of
/// <c>"&lt;namespace&gt;:&lt;key&gt;"</c> to string, where structured values are themselves JSON text (upstream:
/// pulumi-language-dotnet sets it, and the .NET SDK's Deployment reads it). It is turned back into a stack file and
/// validated by the same loader as the built-in engine's, so errors name the same key paths.
/// </summary>
public static class PulumiStackConfig
{
    public static StackSpec Parse(string project, string stack, string pulumiConfig)
    {
        JsonObject values;
        try
        {
            values = JsonNode.Parse(pulumiConfig) as JsonObject ?? throw new ConfigException(["PULUMI_CONFIG: must be a JSON object"]);
        }
        catch (JsonException e)
        {
            throw new ConfigException([$"PULUMI_CONFIG: not valid JSON ({e.Message})"]);
        }
        var config = new JsonObject();
        foreach (var (key, value) in values)
        {
            var text = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value?.ToJsonString();
            config[key] = text is not null && text.TrimStart() is ['{' or '[', ..] ? TryParse(text) ?? text : text;
        }
        return StackConfigLoader.Parse(project, stack, $"Pulumi.{stack}.yaml (from PULUMI_CONFIG)", new JsonObject { ["config"] = config }.ToJsonString());
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
