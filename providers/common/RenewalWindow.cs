namespace ScyllaApocryph.Providers.Common;

/// <summary>When a certificate is due for reissue: from notAfter - renewBefore on (shared by the Nebula and TLS providers).</summary>
public static class RenewalWindow
{
    /// <summary>A CA this close to its end gets a note in every diff asking for a rotation.</summary>
    public static readonly TimeSpan CaExpiryWarning = TimeSpan.FromDays(90);

    /// <summary>How long before its CA a capped Nebula certificate ends (nebula-cert refuses one that outlives the CA).</summary>
    public static readonly TimeSpan CaMargin = TimeSpan.FromMinutes(1);

    /// <summary>A leaf ending this close to its CA (or later) already lives as long as the CA allows.</summary>
    private static readonly TimeSpan CaSlack = CaMargin + TimeSpan.FromHours(1);

    public static bool IsDue(DateTimeOffset notAfter, TimeSpan renewBefore, DateTimeOffset now) => now >= notAfter - renewBefore;

    /// <summary>True when the leaf already ends with its CA: a reissue from the same CA could not make it last longer.</summary>
    public static bool ReachesCaExpiry(DateTimeOffset notAfter, DateTimeOffset caNotAfter) => notAfter >= caNotAfter - CaSlack;

    /// <summary>
    /// The diff for a certificate whose inputs did not force a replacement: replace if due, else <paramref name="diff"/>.
    /// A due certificate that already ends with its CA is not replaced (every up would reissue it for nothing); the
    /// diff notes instead that the CA needs rotating. <paramref name="caNotAfter"/> is asked only for a due certificate.
    /// </summary>
    internal static Engine.Providers.DiffResult Apply(Engine.Providers.DiffResult diff, Engine.Values.PropertyMap oldOutputs,
        Engine.Values.PropertyMap newInputs, DateTimeOffset now, Func<DateTimeOffset?> caNotAfter)
    {
        if (diff.ReplaceKeys.Count > 0) return diff;
        var notAfter = ProviderInputs.ParseIso(oldOutputs.GetString("notAfter"));
        var renewBefore = StackDuration.TryParse(newInputs.GetString("renewBefore"), out var rb) ? rb : Components.Cluster.PkiSpec.DefaultRenewBefore;
        if (notAfter is not { } end || !IsDue(end, renewBefore, now)) return diff;
        if (caNotAfter() is { } caEnd && ReachesCaExpiry(end, caEnd))
            return diff with
            {
                Notes = [.. diff.Notes ?? [], $"certificate expires at {ProviderInputs.Iso(end)} together with its CA (CA expires at {ProviderInputs.Iso(caEnd)}); " +
                    "reissuing cannot extend it: rotate the CA (raise its 'rotation') to renew"],
            };
        return new Engine.Providers.DiffResult(true, [.. diff.ChangedKeys.Append("notAfter").Distinct()], ["notAfter"],
            Notes: [$"certificate expires at {ProviderInputs.Iso(end)}, inside its renewal window of {renewBefore.TotalDays:0.##} days: reissue"]);
    }
}
