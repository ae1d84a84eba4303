namespace ScyllaApocryph.Components.Mesh;

public enum FindingSeverity
{
    Warning,
    Error,
}

/// <summary>One verdict on a security mode for the stack or for one provider (<paramref name="Provider"/> null = whole stack).</summary>
public sealed record SecurityFinding(FindingSeverity Severity, string? Provider, string Message);
