using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Providers.Render;

namespace ScyllaApocryph.Infra.Cli;

/// <summary>
/// A provider the state still has resources of must stay configured: without it they can be neither updated nor
/// deleted. Renaming a provider key is the common way to get there, and it is worse than it looks: the renamed
/// provider would create the same files anew, and putting the old name back later would let the old resources'
/// deletes remove them. So both are refused at preview, each with its fix.
/// </summary>
internal static class RemovedProviders
{
    public static IReadOnlyList<string> Problems(StackState state, ProviderRegistry providers, StackSpec spec, string projectDirectory)
    {
        var ns = spec.Project;
        var problems = new List<string>();
        foreach (var group in state.Live.Concat(state.Retired).Where(r => r.Provider is { } p && !providers.Contains(p)).GroupBy(r => r.Provider!))
        {
            var roots = group.Select(r => r.Outputs.GetString("root")).OfType<string>().Distinct().ToList();
            var successor = spec.Providers.FirstOrDefault(p => p.Kind == ProviderKind.Render && p.Setting("directory") is { } dir &&
                roots.Any(root => RealPath.Of(root) == RealPath.Of(Path.Combine(projectDirectory, dir))));
            problems.Add(successor is not null
                ? $"{ns}:providers.{successor.Name}: provider '{group.Key}' seems renamed to '{successor.Name}' (both write {roots[0]}). The state holds " +
                  $"{group.Count()} resources of '{group.Key}'; under the new name they would be created again over the same files, and the old ones " +
                  $"could then only be deleted by bringing '{group.Key}' back, which would delete those files. Rename it back to '{group.Key}' " +
                  "(a provider's key names its resources; to move a datacenter, give a new provider a folder of its own)"
                : $"{ns}:providers: provider '{group.Key}' is no longer configured, but the state holds {group.Count()} of its resources " +
                  $"(e.g. {group.First().Urn.Value}), which cannot be updated or deleted without it. Put '{group.Key}' back under {ns}:providers " +
                  "until an up has removed them (remove its datacenter first, then the provider), or destroy the stack with it present");
        }
        return problems;
    }
}
