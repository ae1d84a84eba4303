namespace ScyllaApocryph.Components.Membership;

/// <summary>
/// Time-stamped memory of past polls: since when each address has been seen down without interruption, and the
/// last host ID seen at each address (a down zero-token node may no longer report one). Kept in memory only,
/// on purpose: a gap in observation breaks "continuously down", so a restarted reconciler must watch again.
/// </summary>
public sealed class ObservationHistory
{
    private readonly Dictionary<string, DateTimeOffset> _downSince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _hostIds = new(StringComparer.Ordinal);

    public ObservationHistory(TimeSpan maxPollGap) => MaxPollGap = maxPollGap;

    /// <summary>Polls further apart than this reset every down streak.</summary>
    public TimeSpan MaxPollGap { get; }

    public DateTimeOffset? LastPollAt { get; private set; }

    public int Polls { get; private set; }

    /// <summary>Adds one poll. Views must arrive in time order; an older view than the last is ignored.</summary>
    public void Record(ClusterView view)
    {
        if (LastPollAt is { } last && view.ObservedAt < last) return;
        if (view.Reachable.Count == 0) return; // a poll that saw nothing is not an observation of "down"
        var continuous = LastPollAt is { } prev && view.ObservedAt - prev <= MaxPollGap;
        if (!continuous) _downSince.Clear();
        foreach (var node in view.Nodes)
        {
            if (node.HostId is not null) _hostIds[node.Address] = node.HostId;
            if (node.Status == NodeStatus.Down) _downSince.TryAdd(node.Address, view.ObservedAt);
            else _downSince.Remove(node.Address);
        }
        // A node that left the view is not "down" any more; its streak must not survive a rejoin.
        foreach (var gone in _downSince.Keys.Where(a => view.At(a) is null).ToList()) _downSince.Remove(gone);
        LastPollAt = view.ObservedAt;
        Polls++;
    }

    /// <summary>How long the address has been seen down, measured between observations (never extrapolated to now).</summary>
    public TimeSpan DownFor(string address) =>
        _downSince.TryGetValue(address, out var since) && LastPollAt is { } last ? last - since : TimeSpan.Zero;

    public string? LastHostId(string address) => _hostIds.GetValueOrDefault(address);
}
