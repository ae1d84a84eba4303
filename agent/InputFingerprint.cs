using System.Security.Cryptography;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Agent;

/// <summary>
/// One hash over everything ScyllaDB reads at start that the agent does not decide itself: the entrypoint's arguments
/// (without the seeds and the REST address, which the agent sets), the base scylla.yaml (without the keys the agent
/// writes), the files copied into the conf directory, the TLS files and <see cref="AgentConfig.RestartOn"/>. A node
/// whose current fingerprint differs from the one its ScyllaDB started with needs a restart. Bounded: at most
/// <see cref="MaxBytesPerFile"/> of a file are read (its length counts too), so a huge or growing file costs no more.
/// </summary>
public static class InputFingerprint
{
    public const int MaxBytesPerFile = 4 << 20;

    /// <summary>scylla.yaml keys the agent writes at every start (EffectiveConfig): a change there restarts nothing.</summary>
    private static readonly string[] AgentKeys =
        ["seed_provider", "api_address", "api_port", "replace_node_first_boot", "ignore_dead_nodes_for_replace"];

    public static string Of(AgentConfig config)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => hash.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add("args:" + string.Join("\u0000", EffectiveConfig.FixedArguments(config)));
        Add("conf:" + config.ScyllaConfDirectory);
        Add("yaml:" + BaseYaml(config.BaseScyllaYaml));
        foreach (var file in Watched(config))
        {
            Add("file:" + file);
            AddFile(hash, file);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The files besides the base scylla.yaml, each once, in a fixed order.</summary>
    public static IReadOnlyList<string> Watched(AgentConfig config) =>
    [
        .. config.ConfFiles.Concat(config.RestartOn)
            .Concat(config.Tls is { } t ? [t.CaFile, t.CertFile, t.KeyFile] : Array.Empty<string>())
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal),
    ];

    private static string BaseYaml(string path)
    {
        string text;
        try
        {
            text = ReadBounded(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unreadable";
        }
        try
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root) return text;
            foreach (var key in AgentKeys) root.Children.Remove(new YamlScalarNode(key));
            var normal = new StringWriter();
            yaml.Save(normal, assignAnchors: false);
            return normal.ToString();
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return text; // not YAML: ScyllaDB will say so at its start; any change of it still counts
        }
    }

    private static string ReadBounded(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[(int)Math.Min(s.Length, MaxBytesPerFile)];
        s.ReadExactly(buffer);
        return Encoding.UTF8.GetString(buffer);
    }

    private static void AddFile(IncrementalHash hash, string path)
    {
        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            hash.AppendData(Encoding.UTF8.GetBytes($"length:{s.Length}\n"));
            var buffer = new byte[81920];
            long left = MaxBytesPerFile;
            int n;
            while (left > 0 && (n = s.Read(buffer, 0, (int)Math.Min(buffer.Length, left))) > 0)
            {
                hash.AppendData(buffer, 0, n);
                left -= n;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            hash.AppendData(Encoding.UTF8.GetBytes("missing\n")); // a Secret being swapped; the next look sees it again
        }
    }
}
