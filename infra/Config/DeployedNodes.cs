using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Infra.Config;

/// <summary>The nodes an earlier up deployed, read back from the stack's <c>nodes</c> output.</summary>
public static class DeployedNodes
{
    public const string OutputName = "nodes";

    public static IReadOnlyList<DeployedNode> From(PropertyMap outputs) =>
        outputs.Get(OutputName)?.AsArray is { } rows
            ? [.. rows.Select(r => r.AsMap).OfType<PropertyMap>()
                .Where(r => r.GetString("name") is not null && r.GetString("address") is not null)
                .Select(r => new DeployedNode(r.GetString("name")!, r.GetString("datacenter") ?? "", r.GetString("rack") ?? "", r.GetString("address")!))]
            : [];
}
