namespace ScyllaApocryph.Pulumi.Protocol;

/// <summary>Pulumi passes gRPC endpoints as "host:port"; Grpc.Net.Client wants a URI (cleartext HTTP/2).</summary>
public static class Endpoints
{
    public static string Http(string endpoint) =>
        endpoint.StartsWith("http://", StringComparison.Ordinal) || endpoint.StartsWith("https://", StringComparison.Ordinal) ? endpoint : "http://" + endpoint;
}
