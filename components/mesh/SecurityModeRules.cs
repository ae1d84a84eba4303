namespace ScyllaApocryph.Components.Mesh;

/// <summary>Pure rules for choosing a security mode; config validation turns Error findings into refusals.</summary>
public static class SecurityModeRules
{
    public static bool TryParse(string? text, out SecurityMode mode)
    {
        mode = SecurityMode.Nebula;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "nebula": mode = SecurityMode.Nebula; return true;
            case "tls": mode = SecurityMode.Tls; return true;
            case "none": mode = SecurityMode.None; return true;
            default: return false;
        }
    }

    public static string ToConfigString(SecurityMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>Ports a node's Scylla uses for internode traffic in this mode (7001 is Scylla's TLS storage port).</summary>
    public static int InternodePort(SecurityMode mode) => mode == SecurityMode.Tls ? 7001 : 7000;

    public static IReadOnlyList<SecurityFinding> Check(SecurityMode mode, IReadOnlyList<MeshProvider> providers)
    {
        var findings = new List<SecurityFinding>();
        switch (mode)
        {
            case SecurityMode.Nebula:
                foreach (var p in providers.Where(p => p.IsApocryph))
                    findings.Add(new(FindingSeverity.Error, p.Name,
                        $"security mode 'nebula' cannot run on Apocryph provider '{p.Name}': its pods have no UDP ports and no TUN device; use 'tls'"));
                break;
            case SecurityMode.None:
                findings.Add(new(FindingSeverity.Warning, null,
                    "WARNING: security mode 'none' sends all database traffic UNENCRYPTED and lets ANY host that reaches the ports join the cluster; use it only for a one-host trial"));
                foreach (var p in providers.Where(p => p.IsApocryph))
                    findings.Add(new(FindingSeverity.Error, p.Name,
                        $"security mode 'none' is refused on Apocryph provider '{p.Name}': its ports are public; use 'tls'"));
                if (providers.Count > 1)
                    findings.Add(new(FindingSeverity.Warning, null,
                        $"security mode 'none' across {providers.Count} providers exposes internode and CQL traffic between them"));
                break;
            case SecurityMode.Tls:
                break;
        }
        return findings;
    }
}
