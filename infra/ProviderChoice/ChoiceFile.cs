using System.Text.Json;
using ScyllaApocryph.Engine.State;

namespace ScyllaApocryph.Infra.ProviderChoice;

/// <summary>
/// The providers chosen from the Registry for a stack, in its state folder (.state/&lt;stack&gt;/apocryph-providers.json),
/// keyed by provider entry. Nothing in it is secret (addresses, peer ids, hosts are public in the Registry). Written
/// whole to a temporary file and renamed over the old one, only while the stack lock is held; a damaged file is a
/// clear error and is never overwritten.
/// </summary>
public static class ChoiceFile
{
    public const string FileName = "apocryph-providers.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static IReadOnlyDictionary<string, RecordedChoice> Load(string stateDirectory)
    {
        var path = Path.Combine(stateDirectory, FileName);
        if (!File.Exists(path)) return new Dictionary<string, RecordedChoice>();
        try
        {
            var choices = JsonSerializer.Deserialize<Dictionary<string, RecordedChoice>>(File.ReadAllText(path), Json)
                ?? throw new JsonException("the file holds null");
            foreach (var (name, c) in choices)
                if (c is null || new[] { c.EthAddress, c.ProviderId, c.PublicHost, c.RegistryContract }.Any(string.IsNullOrEmpty))
                    throw new JsonException($"the choice of '{name}' lacks a field");
            return choices;
        }
        catch (JsonException e)
        {
            throw new StateDamagedException($"{path} is damaged ({e.Message}); it records which providers the Registry choices picked. " +
                                            "Fix it, or delete it to let the next up choose again (a different choice replaces those datacenters' nodes)", e);
        }
    }

    public static void Save(string stateDirectory, IReadOnlyDictionary<string, RecordedChoice> choices)
    {
        Directory.CreateDirectory(stateDirectory);
        var path = Path.Combine(stateDirectory, FileName);
        var temporary = path + ".tmp";
        var sorted = choices.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value);
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, sorted, Json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
