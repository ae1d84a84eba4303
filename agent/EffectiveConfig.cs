using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Agent;

/// <summary>How ScyllaDB is to start this time: seeds, and for an empty volume replacing a dead node, whom it replaces.</summary>
/// <param name="Seeds">Ready peers only, in a deterministic order; the node itself only when it founds the cluster.</param>
public sealed record BootPlan(string Why, IReadOnlyList<string> Seeds, string? ReplaceHostId = null, IReadOnlyList<string>? IgnoreDeadHostIds = null);

/// <summary>
/// Writes ScyllaDB's effective configuration: the rendered scylla.yaml with the boot's own settings on top, and the
/// entrypoint's arguments with the seeds replaced. docker-entrypoint.py turns <c>--seeds</c> into the seed list of the
/// scylla.yaml it starts ScyllaDB with, so the command line is what counts; the file says the same, for people.
/// Keys follow db/config.cc (scylla-2025.1): replace_node_first_boot, ignore_dead_nodes_for_replace, api_address.
/// </summary>
public static class EffectiveConfig
{
    public static string Write(AgentConfig config, BootPlan plan)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(config.BaseScyllaYaml)) yaml.Load(reader);
        var root = yaml.Documents.Count > 0 ? (YamlMappingNode)yaml.Documents[0].RootNode : new YamlMappingNode();
        if (yaml.Documents.Count == 0) yaml.Documents.Add(new YamlDocument(root));
        Set(root, "api_address", "127.0.0.1"); // no authentication: loopback only, the agent relays what peers may see
        Set(root, "api_port", config.ScyllaApiPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        root.Children.Remove(new YamlScalarNode("replace_node_first_boot"));
        root.Children.Remove(new YamlScalarNode("ignore_dead_nodes_for_replace"));
        if (plan.ReplaceHostId is { } replace)
        {
            // Ignored by ScyllaDB once the node has bootstrapped, so a restart on the same data is safe either way.
            Set(root, "replace_node_first_boot", replace);
            if (plan.IgnoreDeadHostIds is { Count: > 0 } ignore) Set(root, "ignore_dead_nodes_for_replace", string.Join(",", ignore));
        }
        var seeds = new YamlMappingNode { { "seeds", string.Join(",", plan.Seeds) } };
        var provider = new YamlMappingNode
        {
            { "class_name", "org.apache.cassandra.locator.SimpleSeedProvider" },
            { "parameters", new YamlSequenceNode(seeds) },
        };
        root.Children[new YamlScalarNode("seed_provider")] = new YamlSequenceNode(provider);

        Directory.CreateDirectory(config.ScyllaConfDirectory);
        var path = Path.Combine(config.ScyllaConfDirectory, "scylla.yaml");
        var temp = path + ".tmp";
        using (var writer = new StreamWriter(temp))
        {
            writer.WriteLine($"# Effective configuration written by scylla-apocryph-agent: {plan.Why}");
            yaml.Save(writer, assignAnchors: false);
        }
        File.Move(temp, path, overwrite: true);
        // Files ScyllaDB reads beside scylla.yaml (cassandra-rackdc.properties), mounted elsewhere as a whole directory.
        foreach (var file in config.ConfFiles)
        {
            var target = Path.Combine(config.ScyllaConfDirectory, Path.GetFileName(file));
            File.Copy(file, target + ".tmp", overwrite: true);
            File.Move(target + ".tmp", target, overwrite: true);
        }
        return path;
    }

    /// <summary>The entrypoint's arguments with <c>--seeds</c> (and <c>--api-address</c>) set to this boot's values.</summary>
    public static IReadOnlyList<string> Arguments(AgentConfig config, BootPlan plan) =>
        [.. FixedArguments(config), "--seeds", string.Join(",", plan.Seeds), "--api-address", "127.0.0.1"];

    /// <summary>The entrypoint's arguments without the ones every boot sets anew (seeds, REST address).</summary>
    public static IReadOnlyList<string> FixedArguments(AgentConfig config)
    {
        var args = new List<string>();
        var given = config.Entrypoint.Skip(1).ToList();
        for (var i = 0; i < given.Count; i++)
        {
            var a = given[i];
            if (a is "--seeds" or "--api-address") { i++; continue; }
            if (a.StartsWith("--seeds=", StringComparison.Ordinal) || a.StartsWith("--api-address=", StringComparison.Ordinal)) continue;
            args.Add(a);
        }
        return args;
    }

    private static void Set(YamlMappingNode root, string key, string value) => root.Children[new YamlScalarNode(key)] = new YamlScalarNode(value);
}
