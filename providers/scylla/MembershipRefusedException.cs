namespace ScyllaApocryph.Providers.Scylla;

/// <summary>The decider refused to act (Raft majority lost); the message names the missing nodes and the recovery procedure.</summary>
public sealed class MembershipRefusedException(string message) : Exception(message);
