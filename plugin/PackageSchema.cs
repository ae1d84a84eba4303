using System.Text.Json.Nodes;
using ScyllaApocryph.Pulumi.Protocol;

namespace ScyllaApocryph.Plugin;

/// <summary>
/// The Pulumi package schema of scylla-apocryph (upstream format: pulumi/pulumi pkg/codegen/schema, "Package
/// schema" in Pulumi's docs): the provider's configuration, every custom resource and the ScyllaCluster component,
/// with secret outputs marked secret.
/// </summary>
public static class PackageSchema
{
    public static string Build(string version)
    {
        var resources = new JsonObject();
        foreach (var r in ResourceCatalog.Resources)
        {
            var properties = Properties(r.Outputs.Concat(r.Inputs.Where(i => r.Outputs.All(o => o.Name != i.Name))));
            resources[TypeTokens.ToPulumi(r.EngineType)] = new JsonObject
            {
                ["description"] = r.Description,
                ["properties"] = properties,
                ["required"] = Names(r.IsComponent ? r.Outputs.Where(o => o.Required) : r.Outputs),
                ["inputProperties"] = Properties(r.Inputs),
                ["requiredInputs"] = Names(r.Inputs.Where(i => i.Required)),
                ["isComponent"] = r.IsComponent,
            };
        }
        var config = Properties(PluginConfig.Keys);
        var schema = new JsonObject
        {
            ["name"] = TypeTokens.Package,
            ["displayName"] = "scylla-apocryph",
            ["version"] = version,
            ["description"] = "One ScyllaDB cluster across several hosting providers (Apocryph, Kubernetes, local render), joined securely and kept healthy.",
            ["license"] = "Apache-2.0",
            // Modules are "render", "tls", "kubernetes/apps/v1", ...: the whole module segment is the module.
            ["meta"] = new JsonObject { ["moduleFormat"] = "(.*)" },
            ["config"] = new JsonObject { ["variables"] = config.DeepClone() },
            ["provider"] = new JsonObject
            {
                ["description"] = "One provider instance per hosting provider: kind render (directory), kubernetes (context), membership (hooks), or none for the PKI, password and autoscaler resources.",
                ["inputProperties"] = config.DeepClone(),
                ["properties"] = config.DeepClone(),
            },
            ["resources"] = resources,
        };
        return schema.ToJsonString();
    }

    private static JsonArray Names(IEnumerable<PropertySpec> properties) => [.. properties.Select(p => (JsonNode)p.Name)];

    private static JsonObject Properties(IEnumerable<PropertySpec> properties)
    {
        var o = new JsonObject();
        foreach (var p in properties)
        {
            var spec = new JsonObject { ["type"] = p.Type, ["description"] = p.Description };
            if (p.Items is { } items) spec[p.Type == "array" ? "items" : "additionalProperties"] = new JsonObject { ["type"] = items };
            else if (p.Type == "object") spec["additionalProperties"] = new JsonObject { ["$ref"] = "pulumi.json#/Any" };
            if (p.Secret) spec["secret"] = true;
            o[p.Name] = spec;
        }
        return o;
    }
}
