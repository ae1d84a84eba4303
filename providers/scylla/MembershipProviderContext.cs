using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Providers.Scylla;

/// <summary>What the Membership provider needs from its host: how to reach nodes and hooks, where the lease and journal live.</summary>
public sealed record MembershipProviderContext(
    HttpClient Http,
    IScyllaEndpointResolver Endpoints,
    IAutoscalerHooks Hooks,
    IReconcilerLease Lease,
    IIntentJournal Journal,
    TimeProvider Clock,
    ReconcilerOptions Options)
{
    public ScyllaRestOptions Rest { get; init; } = ScyllaRestOptions.Default;

    /// <summary>What a slot named by DNS resolves to (ScyllaDB lists nodes by IP); null: matched by host ID only.</summary>
    public ISlotAddressResolver? Names { get; init; }

    /// <summary>Progress lines while <c>up</c> waits for convergence.</summary>
    public Action<string>? Progress { get; init; }
}
