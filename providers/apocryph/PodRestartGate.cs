namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// At most one pod of a run restarts through UpdatePod. UpdatePod returns once the provider has applied the new
/// Deployment; the rolling update itself (new pod, the agent waiting for the old one's volume lock, ScyllaDB starting
/// again) happens after that, where nothing of ours can watch it. Several such updates in one run would take several
/// nodes down at once, so every further one is refused with the node that goes first; the next `up` sends the next
/// once that node is back. Shared by all Apocryph providers of a run (one per stack entry).
/// </summary>
public sealed class PodRestartGate
{
    private readonly Lock _gate = new();
    private string? _first;

    /// <summary>True for the first node to ask (and for it again); otherwise false with the node that went first.</summary>
    public bool TryBegin(string node, out string first)
    {
        lock (_gate)
        {
            _first ??= node;
            first = _first;
            return _first == node;
        }
    }
}
