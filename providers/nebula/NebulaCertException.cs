namespace ScyllaApocryph.Providers.Nebula;

/// <summary>nebula-cert failed or is missing; the message carries its diagnostics, never key material.</summary>
public sealed class NebulaCertException(string message) : Exception(message);
