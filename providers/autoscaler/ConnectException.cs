namespace ScyllaApocryph.Providers.Autoscaler;

/// <summary>The autoscaler answered with a Connect error (code names such as <c>unavailable</c>, <c>invalid_argument</c>).</summary>
public sealed class ConnectException(string procedure, int httpStatus, string code, string? message)
    : Exception($"{procedure}: {code} (HTTP {httpStatus}){(message is null ? "" : ": " + message)}")
{
    public string Code { get; } = code;
}
