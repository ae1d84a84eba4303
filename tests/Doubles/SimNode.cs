using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>One ScyllaDB process (identified by its host ID) inside <see cref="ScyllaSimulator"/>.</summary>
public sealed class SimNode(string hostId, string address, string datacenter, bool zeroToken)
{
    public string HostId { get; } = hostId;

    public string Address { get; } = address;

    public string Datacenter { get; } = datacenter;

    public string Rack => "rack1";

    public bool ZeroToken { get; } = zeroToken;

    public bool Running { get; set; } = true;

    /// <summary>When it showed up in gossip (established members: the start of time).</summary>
    public DateTimeOffset JoinedAt { get; init; }

    public DateTimeOffset StoppedAt { get; set; }

    public NodeState State { get; set; } = NodeState.Normal;

    /// <summary>Replace in progress: the host ID whose ranges this node takes over.</summary>
    public string? Replacing { get; set; }

    public bool Partitioned { get; set; }

    public TimeSpan Slowness { get; set; }

    public bool DropNextPostResponse { get; set; }

    public bool OwnsTokens => !ZeroToken && State is NodeState.Normal or NodeState.Leaving;
}
