using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Infra.Config;

/// <summary>
/// Builds the node tree of a YAML document from the parser's events, as <see cref="YamlStream"/> does, except that
/// a key repeated in one mapping is reported with its key path (<c>scylla-apocryph:providers.alpha: duplicate key</c>)
/// and the first value kept, so validation goes on and reports every other problem too. Paths follow
/// <see cref="YamlNodeReader"/>: the <c>config</c> envelope is left out of the keys below it.
/// </summary>
internal static class YamlTree
{
    private const string Envelope = "config";

    /// <summary>
    /// Where the last well-formed event of <paramref name="text"/> ends: for a parser error that carries no position.
    /// </summary>
    public static Mark LastGoodMark(string text)
    {
        var parser = new Parser(new StringReader(text));
        var last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
                if (parser.Current is { } e) last = e.End;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // stop at the first thing that is not well-formed
        }
        return last;
    }

    /// <summary>
    /// Where <paramref name="e"/> went wrong as "line:column". YamlDotNet places a tab in the indentation at the start
    /// of the mapping it scanned, so that one is pointed at the first indenting tab instead.
    /// </summary>
    public static string Position(YamlException e, string text)
    {
        if (e.Message.Contains("tab", StringComparison.Ordinal))
        {
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
                if (lines[i][..indent].IndexOf('\t') is var tab and >= 0) return $"{i + 1}:{tab + 1}";
            }
        }
        return $"{e.Start.Line}:{e.Start.Column}";
    }

    /// <summary>The first document's root node, or null for an empty file.</summary>
    /// <exception cref="YamlException">The text is not well-formed YAML.</exception>
    /// <exception cref="InvalidOperationException">YamlDotNet gave up without a position (see <see cref="LastGoodMark"/>).</exception>
    public static YamlNode? Load(string text, List<string> errors)
    {
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _)) return null;
        parser.Consume<DocumentStart>();
        return Node(parser, [], new Dictionary<AnchorName, YamlNode>(), errors);
    }

    private static YamlNode Node(IParser parser, List<string> path, Dictionary<AnchorName, YamlNode> anchors, List<string> errors)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
            return anchors.TryGetValue(alias.Value, out var anchored) ? anchored : throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value} names no anchor");
        if (parser.TryConsume<Scalar>(out var scalar))
            return Remember(new YamlScalarNode(scalar.Value) { Style = scalar.Style }, scalar.Anchor, anchors);
        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var sequence = Remember(new YamlSequenceNode(), sequenceStart.Anchor, anchors);
            while (!parser.TryConsume<SequenceEnd>(out _)) sequence.Add(Node(parser, [.. path, $"[{sequence.Children.Count}]"], anchors, errors));
            return sequence;
        }
        if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            var mapping = Remember(new YamlMappingNode(), mappingStart.Anchor, anchors);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var line = parser.Current?.Start.Line;
                var key = Node(parser, path, anchors, errors);
                var name = key is YamlScalarNode { Value: { } text } ? text : key.ToString();
                var value = Node(parser, [.. path, name], anchors, errors);
                if (mapping.Children.ContainsKey(key)) errors.Add($"{Format([.. path, name])}: duplicate key (again on line {line}); give each key once");
                else mapping.Add(key, value);
            }
            return mapping;
        }
        var unexpected = parser.Current;
        throw new YamlException(unexpected?.Start ?? Mark.Empty, unexpected?.End ?? Mark.Empty, $"unexpected {unexpected?.GetType().Name ?? "end of input"}");
    }

    private static T Remember<T>(T node, AnchorName anchor, Dictionary<AnchorName, YamlNode> anchors) where T : YamlNode
    {
        if (!anchor.IsEmpty)
        {
            node.Anchor = anchor;
            anchors[anchor] = node;
        }
        return node;
    }

    private static string Format(List<string> path)
    {
        var segments = path.Count > 1 && path[0] == Envelope ? path.Skip(1) : path;
        var result = "";
        foreach (var segment in segments)
            result += segment.StartsWith('[') || result.Length == 0 ? segment : "." + segment;
        return result;
    }
}
