namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// A process started on an empty volume (fresh when <see cref="ReplaceHostId"/> is null). Until <see cref="ShowsUpAt"/>
/// it is starting and invisible; then it either becomes a member (<see cref="Node"/>) or is refused (<see cref="Failure"/>).
/// </summary>
public sealed class SimBoot(string address, string datacenter, string? replaceHostId, IReadOnlyList<string> ignoreDead, bool zeroToken,
    DateTimeOffset showsUpAt)
{
    public string Address { get; } = address;

    public string Datacenter { get; } = datacenter;

    public string? ReplaceHostId { get; } = replaceHostId;

    public IReadOnlyList<string> IgnoreDead { get; } = ignoreDead;

    public bool ZeroToken { get; } = zeroToken;

    public DateTimeOffset ShowsUpAt { get; } = showsUpAt;

    /// <summary>The host ID the process generated (or found on its volume) at start; it stays on the volume whatever happens.</summary>
    public required string HostId { get; init; }

    public SimNode? Node { get; set; }

    /// <summary>The cluster would already have refused it when it was booted (see <see cref="ScyllaSimulator.RefusedAfterChange"/>).</summary>
    public bool RefusableWhenBooted { get; set; }

    /// <summary>Why the cluster refused it (the process exited; its volume is still empty).</summary>
    public string? Failure { get; set; }
}
