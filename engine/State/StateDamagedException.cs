namespace ScyllaApocryph.Engine.State;

/// <summary>A state file cannot be read. Nothing was changed; the message says where and what to do.</summary>
public sealed class StateDamagedException(string message, Exception? inner = null) : Exception(message, inner);
