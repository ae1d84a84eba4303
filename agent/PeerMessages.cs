using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Agent;

// The agent-to-agent API (besides the node view relayed from ScyllaDB's REST API and the hooks):
//   GET  /v1/instance    -> InstanceReport            this slot's instance and its node
//   POST /v1/lease/vote  VoteRequest -> VoteReply     the actor election
//   GET  /v1/intent      -> IntentRecord              this agent's copy of the replicated intent
//   PUT  /v1/intent      IntentRecord -> IntentReply  replicate the intent (fenced by term)
//   GET  /v1/restart     -> RestartGrant              this agent's copy of the rolling-restart token
//   PUT  /v1/restart     RestartGrant -> IntentReply  replicate the token (fenced by term, as the intent)

/// <param name="HostId">The local node's host ID once it is known (from the identity file or ScyllaDB).</param>
/// <param name="RestartPending">Its inputs changed since its ScyllaDB started: it waits for the restart token.</param>
public sealed record InstanceReport(string Cluster, string Slot, string InstanceId, InstancePhase Phase, string? HostId, bool Ready,
    bool RestartPending = false);

public sealed record VoteRequest(long Term, string Candidate, int TtlMs);

/// <param name="Term">The voter's promised term after the request; <paramref name="Holder"/> is whom it is promised to.</param>
public sealed record VoteReply(bool Granted, long Term, string? Holder, string? Why = null);

/// <summary>The one topology intent, stamped with the term of the actor that wrote it and a sequence within that term.</summary>
public sealed record IntentRecord(long Term, long Seq, TopologyIntent? Intent)
{
    public bool IsNewerThan(IntentRecord other) => Term > other.Term || Term == other.Term && Seq > other.Seq;
}

public sealed record IntentReply(bool Accepted, long PromisedTerm);

/// <summary>
/// The rolling-restart token: the one slot that may restart its ScyllaDB now (or none), granted by the actor of
/// <paramref name="Term"/> and replicated to a majority like the intent, so it outlives the actor and the restarting agent.
/// </summary>
public sealed record RestartGrant(long Term, long Seq, string? Slot)
{
    public bool IsNewerThan(RestartGrant other) => Term > other.Term || Term == other.Term && Seq > other.Seq;
}
