namespace ScyllaApocryph.Providers.Nebula;

/// <summary>What <c>nebula-cert print -json</c> says about a certificate (never the key).</summary>
public sealed record NebulaCertInfo(
    string Name,
    string Fingerprint,
    string PublicKey,
    string Issuer,
    bool IsCa,
    IReadOnlyList<string> Groups,
    IReadOnlyList<string> Ips,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter);
