namespace ScyllaApocryph.Providers.Nebula;

/// <summary>When a certificate is due for reissue: from notAfter - renewBefore on (shared by the Nebula and TLS providers).</summary>
public static class RenewalWindow
{
    public static readonly TimeSpan DefaultRenewBefore = TimeSpan.FromDays(30);

    /// <summary>How long before its CA a capped Nebula certificate ends (nebula-cert refuses one that outlives the CA).</summary>
    public static readonly TimeSpan CaMargin = TimeSpan.FromMinutes(1);

    public static bool IsDue(DateTimeOffset notAfter, TimeSpan renewBefore, DateTimeOffset now) => now >= notAfter - renewBefore;

    /// <summary>The diff for a certificate whose inputs did not force a replacement: replace if due, else <paramref name="diff"/>.</summary>
    internal static Engine.Providers.DiffResult Apply(Engine.Providers.DiffResult diff, Engine.Values.PropertyMap oldOutputs,
        Engine.Values.PropertyMap newInputs, DateTimeOffset now)
    {
        if (diff.ReplaceKeys.Count > 0) return diff;
        var notAfter = ProviderInputs.ParseIso(oldOutputs.GetString("notAfter"));
        var renewBefore = NebulaDuration.TryParse(newInputs.GetString("renewBefore"), out var rb) ? rb : DefaultRenewBefore;
        if (notAfter is not { } end || !IsDue(end, renewBefore, now)) return diff;
        return new Engine.Providers.DiffResult(true, [.. diff.ChangedKeys.Append("notAfter").Distinct()], ["notAfter"],
            Notes: [$"certificate expires at {ProviderInputs.Iso(end)}, inside its renewal window of {renewBefore.TotalDays:0.##} days: reissue"]);
    }
}
