using System.Net.Http.Json;
using System.Text.Json;

namespace ScyllaApocryph.Providers.Autoscaler;

/// <summary>
/// The Apocryph Autoscaler's existing API over the Connect protocol (unary: HTTP POST of JSON to
/// <c>{base}/apocryph.proto.v0.autoscaler.AutoscalerService/{Method}</c>). It has no read, list or disconnect call.
/// </summary>
/// <remarks>
/// As upstream's generated client (pkg/proto/protoconnect/autoscaler.connect.go at 4bbf371) the procedure is appended
/// to the base URL with its trailing '/' trimmed, so a base path (a gateway prefix) is kept. Every call carries
/// <c>Host: autoscaler.local</c>, as tpodctl and the autoscaler itself send it (cmd/trustedpods/autoscaler.go,
/// pkg/autoscaler/server.go): the provider's ingress routes that host to the autoscaler pod, whose manifest sets
/// <c>hostHttpHost: autoscaler.local</c> (test/e2e/common/manifests/manifest-autoscaler.yaml).
/// </remarks>
public sealed class AutoscalerConnectClient(HttpClient http, Uri baseAddress)
{
    public const string Service = "apocryph.proto.v0.autoscaler.AutoscalerService";

    /// <summary>The virtual host the provider's ingress routes to the autoscaler pod.</summary>
    public const string IngressHost = "autoscaler.local";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Joins the autoscaler instances into one Raft cluster (servers: every instance; 3 for a quorum).</summary>
    public Task<ConnectClusterResponse> ConnectClusterAsync(ConnectClusterRequest request, CancellationToken ct) =>
        CallAsync<ConnectClusterResponse>("ConnectCluster", request, ct);

    /// <summary>
    /// Answers with the instance's libp2p peer id; an instance never started bootstraps its Raft node from the request
    /// in the background (upstream's TriggerNode), which is how ConnectCluster reaches the other instances.
    /// </summary>
    public Task<TriggerNodeResponse> TriggerNodeAsync(ConnectClusterRequest request, CancellationToken ct) =>
        CallAsync<TriggerNodeResponse>("TriggerNode", request, ct);

    /// <summary>The URL a method is posted to: the base URL, its path kept, then <c>/Service/Method</c>.</summary>
    public Uri MethodUri(string method)
    {
        var builder = new UriBuilder(baseAddress) { Path = $"{baseAddress.AbsolutePath.TrimEnd('/')}/{Service}/{method}" };
        return builder.Uri;
    }

    private async Task<T> CallAsync<T>(string method, object body, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, MethodUri(method))
        {
            Content = JsonContent.Create(body, options: Json),
        };
        message.Headers.Host = IngressHost;
        message.Headers.Add("Connect-Protocol-Version", "1");
        using var response = await http.SendAsync(message, ct);
        if (!response.IsSuccessStatusCode)
        {
            ConnectError? error = null;
            try
            {
                error = await response.Content.ReadFromJsonAsync<ConnectError>(Json, ct);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException)
            {
                // Not a Connect error body (an ingress's own 404 page, for one): report the status alone.
            }
            throw new ConnectException($"{Service}/{method}", (int)response.StatusCode, error?.Code ?? "unknown", error?.Message);
        }
        return await response.Content.ReadFromJsonAsync<T>(Json, ct) ?? throw new ConnectException(method, 200, "internal", "empty body");
    }
}
