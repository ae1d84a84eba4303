namespace ScyllaApocryph.Providers.Scylla;

/// <summary>A node answered with an error (ScyllaDB returns JSON <c>{"message": ..., "code": ...}</c>).</summary>
public sealed class ScyllaRestException(string path, int statusCode, string message)
    : Exception($"{path}: HTTP {statusCode}: {message}")
{
    public string Path { get; } = path;

    public int StatusCode { get; } = statusCode;
}
