using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Infra.Config;

/// <summary>The project: the directory holding <c>Pulumi.yaml</c> and the name it declares.</summary>
public sealed record ProjectInfo(string Directory, string Name)
{
    public const string FileName = "Pulumi.yaml";

    /// <summary>Finds Pulumi.yaml in <paramref name="start"/> or the nearest directory above it.</summary>
    public static ProjectInfo Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, FileName);
            if (!File.Exists(path)) continue;
            var yaml = new YamlStream();
            try
            {
                yaml.Load(new StringReader(File.ReadAllText(path)));
            }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new ConfigException([$"{path}:{e.Start.Line}:{e.Start.Column}: {e.InnerException?.Message ?? e.Message}"]);
            }
            catch (InvalidOperationException)
            {
                var at = YamlTree.LastGoodMark(File.ReadAllText(path));
                throw new ConfigException([$"{path}:{at.Line}:{at.Column}: malformed YAML after this point (an unclosed '[' or '{{'?)"]);
            }
            var name = yaml.Documents.Count > 0 && yaml.Documents[0].RootNode is YamlMappingNode root &&
                       root.Children.TryGetValue(new YamlScalarNode("name"), out var n) && n is YamlScalarNode s && !string.IsNullOrWhiteSpace(s.Value)
                ? s.Value!
                : throw new ConfigException([$"{path}: name: is required"]);
            return new ProjectInfo(dir.FullName, name);
        }
        throw new ConfigException([$"{FileName}: not found in {start} or any directory above it; run from the project directory or pass --cwd"]);
    }
}
