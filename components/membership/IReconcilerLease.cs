namespace ScyllaApocryph.Components.Membership;

/// <summary>
/// A lease with an expiry, held where every reconciler can see it, so only one reconciler acts at a time.
/// A holder that dies simply stops renewing; the lease lapses and another may take it.
/// </summary>
public interface IReconcilerLease
{
    /// <summary>Takes or renews the lease for <paramref name="holder"/>; false if someone else holds an unexpired lease.</summary>
    Task<bool> TryAcquireAsync(string holder, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Gives the lease up if <paramref name="holder"/> holds it.</summary>
    Task ReleaseAsync(string holder, CancellationToken cancellationToken);

    /// <summary>The current unexpired holder, if any.</summary>
    Task<string?> HolderAsync(CancellationToken cancellationToken);
}
