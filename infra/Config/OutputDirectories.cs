using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Providers.Render;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Infra.Config;

/// <summary>
/// The folders render providers and the compose trial write to. Each must really lie inside the project directory
/// (symbolic links followed), outside <c>.state</c>, and belong to one owner: two providers, or two stacks, writing
/// one folder would own the same files, and one's destroy would delete the other's keys. The compose folder may
/// hold its own stack's provider folders (it writes only its three files at its top), never the other way round.
/// </summary>
public static class OutputDirectories
{
    public sealed record OutputDirectory(string Stack, string Key, string Written, string Real, bool Compose);

    /// <summary>The problems of <paramref name="spec"/>'s folders, each naming its key, against every other stack of the project.</summary>
    public static IReadOnlyList<string> Check(StackSpec spec, string projectDirectory)
    {
        var errors = new List<string>();
        var project = RealPath.Of(projectDirectory);
        var state = Path.Combine(project, ".state");
        var own = Of(spec.Project, spec.Stack, spec.Providers.Where(p => p.Kind == ProviderKind.Render)
            .Select(p => (p.Name, p.Settings.GetValueOrDefault("directory"))), spec.ComposeDirectory, project);
        foreach (var d in own)
        {
            if (!RealPath.IsWithin(d.Real, project) || d.Real == project)
                errors.Add($"{d.Key}: '{d.Written}' leads to {d.Real}, which is not a folder inside the project directory {project}; " +
                           "give a relative path below it (e.g. out/<stack>/<provider>), without '..' or symbolic links out of it");
            else if (RealPath.IsWithin(d.Real, state))
                errors.Add($"{d.Key}: '{d.Written}' is inside .state, where the stacks' state lives; choose another folder");
        }
        if (errors.Count > 0) return errors;

        for (var i = 0; i < own.Count; i++)
            for (var j = 0; j < i; j++)
                if (Clash(own[j], own[i]))
                    errors.Add($"{own[i].Key}: '{own[i].Written}' overlaps {own[j].Key} ('{own[j].Written}'); two providers writing one folder " +
                               "would own the same files. Give each its own folder");
        foreach (var (stack, dirs) in OtherStacks(projectDirectory, spec.Project, spec.Stack, project))
            foreach (var mine in own)
                foreach (var theirs in dirs.Where(t => RealPath.Overlap(mine.Real, t.Real)))
                    errors.Add($"{mine.Key}: '{mine.Written}' overlaps stack '{stack}' ({theirs.Key}: '{theirs.Written}'); each stack must write " +
                               $"folders of its own, or one's up overwrites the other's keys and its destroy deletes them. Change one of the two " +
                               $"(a copied stack file needs new directories)");
        return errors;
    }

    private static bool Clash(OutputDirectory a, OutputDirectory b)
    {
        if (a.Real == b.Real) return true;
        // A provider folder below its own stack's compose folder is fine; anything else nested is not.
        if (a.Compose && RealPath.IsWithin(b.Real, a.Real)) return false;
        if (b.Compose && RealPath.IsWithin(a.Real, b.Real)) return false;
        return RealPath.Overlap(a.Real, b.Real);
    }

    private static List<OutputDirectory> Of(string ns, string stack, IEnumerable<(string Name, string? Directory)> providers, string? compose, string project)
    {
        var result = new List<OutputDirectory>();
        foreach (var (name, dir) in providers)
            if (dir is not null) result.Add(Make(stack, $"{ns}:providers.{name}.directory", dir, project, compose: false));
        if (compose is not null) result.Add(Make(stack, $"{ns}:compose.directory", compose, project, compose: true));
        return result;
    }

    private static OutputDirectory Make(string stack, string key, string written, string project, bool compose) =>
        new(stack, key, written, RealPath.Of(Path.Combine(project, written)), compose);

    /// <summary>
    /// The folders of every other stack in the project: each <c>Pulumi.&lt;stack&gt;.yaml</c>, and the embedded local
    /// stack where it has state but no file. Read leniently: a stack file with errors of its own still counts for
    /// the folders it names.
    /// </summary>
    private static IEnumerable<(string Stack, List<OutputDirectory> Dirs)> OtherStacks(string projectDirectory, string ns, string self, string project)
    {
        var files = Directory.GetFiles(projectDirectory, "Pulumi.*.yaml")
            .Select(f => (Stack: Path.GetFileName(f)[7..^5], Text: (string?)null, File: f)).ToList();
        if (files.All(f => f.Stack != StackConfigLoader.LocalStack) && Directory.Exists(Path.Combine(projectDirectory, ".state", StackConfigLoader.LocalStack)))
            files.Add((StackConfigLoader.LocalStack, StackConfigLoader.EmbeddedLocalStack(), ""));
        foreach (var (stack, text, file) in files.Where(f => f.Stack != self && InputRules.StackNameProblem(f.Stack) is null).OrderBy(f => f.Stack, StringComparer.Ordinal))
        {
            List<OutputDirectory> dirs;
            try
            {
                dirs = Lenient(text ?? File.ReadAllText(file), ns, stack, project);
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException or IOException)
            {
                continue; // not readable as YAML: that stack reports it when it runs
            }
            yield return (stack, dirs);
        }
    }

    private static List<OutputDirectory> Lenient(string text, string ns, string stack, string project)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root || Child(root, "config") is not YamlMappingNode config) return [];
        var providers = new List<(string, string?)>();
        if (Child(config, ns + ":providers") is YamlMappingNode ps)
            foreach (var (k, v) in ps.Children)
                if (v is YamlMappingNode p && Scalar(p, "kind") == "render" && Scalar(p, "directory") is { } dir && k is YamlScalarNode { Value: { } name })
                    providers.Add((name, dir));
        var compose = Child(config, ns + ":compose") is YamlMappingNode c ? Scalar(c, "directory") : null;
        return Of(ns, stack, providers, compose, project);
    }

    private static YamlNode? Child(YamlMappingNode map, string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static string? Scalar(YamlMappingNode map, string key) => Child(map, key) is YamlScalarNode { Value: { Length: > 0 } v } ? v : null;
}
