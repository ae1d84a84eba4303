namespace ScyllaApocryph.Components.Mesh;

/// <summary>
/// The pki section of a node config. Each of <paramref name="Ca"/>, <paramref name="Cert"/>, <paramref name="Key"/>
/// is either a file path or the PEM itself (nebula reads a value containing "-----BEGIN" as inline PEM).
/// <paramref name="Blocklist"/> holds fingerprints every node refuses (the Blocklist resource's output).
/// </summary>
public sealed record NebulaPki(string Ca, string Cert, string Key, IReadOnlyList<string> Blocklist)
{
    /// <summary>
    /// When set, written in place of the blocklist as a plain scalar, for a renderer that fills in the list
    /// (as a JSON array, which is YAML too) once the Blocklist resource has produced it.
    /// </summary>
    public string? BlocklistPlaceholder { get; init; }

    public override string ToString() => $"NebulaPki {{ Ca = {Ca.Length} chars, Cert = {Cert.Length} chars, Key = [secret], Blocklist = {Blocklist.Count} }}";
}
