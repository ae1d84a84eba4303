namespace ScyllaApocryph.Components.Mesh;

/// <summary>
/// The pki section of a node config. Each of <paramref name="Ca"/>, <paramref name="Cert"/>, <paramref name="Key"/>
/// is either a file path or the PEM itself (nebula reads a value containing "-----BEGIN" as inline PEM).
/// <paramref name="Blocklist"/> holds fingerprints every node refuses (the Blocklist resource's output).
/// </summary>
public sealed record NebulaPki(string Ca, string Cert, string Key, IReadOnlyList<string> Blocklist)
{
    public override string ToString() => $"NebulaPki {{ Ca = {Ca.Length} chars, Cert = {Cert.Length} chars, Key = [secret], Blocklist = {Blocklist.Count} }}";
}
