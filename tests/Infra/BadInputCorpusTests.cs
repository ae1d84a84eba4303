using System.Text.Json;
using ScyllaApocryph.Infra.Cli;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Tests.Infra;

/// <summary>
/// The bad-input corpus (tests/Infra/BadInput/cases.yaml), one case per broken stack file: each must exit 2, name
/// its key in the one JSON document <c>--json</c> prints, and leave the project directory exactly as it was.
/// </summary>
public sealed class BadInputCorpusTests
{
    public sealed record Case(string Name, string Key, string Stack, string? Text, IReadOnlyList<(string From, string To)> Edits)
    {
        public override string ToString() => Name;
    }

    private static string CorpusPath => Path.Combine(StackConfigTests.RepositoryRoot(), "tests", "Infra", "BadInput", "cases.yaml");

    public static IEnumerable<object[]> Cases()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(CorpusPath)));
        foreach (var node in ((YamlSequenceNode)yaml.Documents[0].RootNode).Children.Cast<YamlMappingNode>())
        {
            string? Get(string key) => node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? ((YamlScalarNode)v).Value : null;
            var edits = node.Children.TryGetValue(new YamlScalarNode("edits"), out var e)
                ? ((YamlSequenceNode)e).Children.Cast<YamlSequenceNode>().Select(p => (((YamlScalarNode)p[0]).Value!, ((YamlScalarNode)p[1]).Value!)).ToList()
                : [];
            yield return [new Case(Get("name")!, Get("key")!, Get("stack") ?? "bad", Get("text"), edits)];
        }
    }

    [Fact]
    public void The_corpus_holds_more_than_sixty_cases_with_distinct_names()
    {
        var names = Cases().Select(c => ((Case)c[0]).Name).ToList();

        Assert.True(names.Count > 62, $"{names.Count} cases");
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_bad_input_exits_2_names_its_key_and_writes_nothing(Case c)
    {
        var project = Directory.CreateTempSubdirectory("corpus-").FullName;
        try
        {
            var root = StackConfigTests.RepositoryRoot();
            File.Copy(Path.Combine(root, "Pulumi.yaml"), Path.Combine(project, "Pulumi.yaml"));
            var text = c.Text ?? File.ReadAllText(Path.Combine(root, "Pulumi.local.yaml"));
            foreach (var (from, to) in c.Edits)
            {
                Assert.True(Occurrences(text, from) == 1, $"case '{c.Name}': '{from}' must occur exactly once in the stack file");
                text = text.Replace(from, to, StringComparison.Ordinal);
            }
            File.WriteAllText(Path.Combine(project, "Pulumi.bad.yaml"), text);
            if (c.Stack != "bad" && !c.Stack.Contains('/') && !c.Stack.Contains('\n')) File.WriteAllText(Path.Combine(project, $"Pulumi.{c.Stack}.yaml"), text);
            var before = Listing(project);

            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var env = new CliEnvironment(stdout, stderr, new StringReader(""), project,
                k => k == "PULUMI_CONFIG_PASSPHRASE" ? "corpus" : null, InputIsTerminal: false, OutputIsTerminal: false);
            var code = await new CliApp(env) { Pbkdf2Iterations = 1000 }.RunAsync(["up", "--stack", c.Stack, "--yes", "--json"]);

            Assert.True(code == 2, $"case '{c.Name}' exited {code}: {stderr}");
            var document = JsonDocument.Parse(stdout.ToString()).RootElement;
            var errors = document.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.True(errors.Any(e => e.Contains(c.Key, StringComparison.Ordinal)), $"case '{c.Name}': no error names {c.Key}: {string.Join(" | ", errors)}");
            Assert.Equal(before, Listing(project));
        }
        finally
        {
            Directory.Delete(project, true);
        }
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }

    private static List<string> Listing(string dir) =>
        [.. Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(dir, p)).Order(StringComparer.Ordinal)];
}
