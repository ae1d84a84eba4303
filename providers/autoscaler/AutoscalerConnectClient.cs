using System.Net.Http.Json;
using System.Text.Json;

namespace ScyllaApocryph.Providers.Autoscaler;

/// <summary>
/// The Apocryph Autoscaler's existing API over the Connect protocol (unary: HTTP POST of JSON to
/// <c>/apocryph.proto.v0.autoscaler.AutoscalerService/{Method}</c>). It has no read, list or disconnect call.
/// </summary>
public sealed class AutoscalerConnectClient(HttpClient http, Uri baseAddress)
{
    public const string Service = "apocryph.proto.v0.autoscaler.AutoscalerService";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Joins the autoscaler instances into one Raft cluster (servers: the other instances; 3 for a quorum).</summary>
    public Task<ConnectClusterResponse> ConnectClusterAsync(ConnectClusterRequest request, CancellationToken ct) =>
        CallAsync<ConnectClusterResponse>("ConnectCluster", request, ct);

    /// <summary>Asks the autoscaler to start a node; answers with the peer that will host it.</summary>
    public Task<TriggerNodeResponse> TriggerNodeAsync(ConnectClusterRequest request, CancellationToken ct) =>
        CallAsync<TriggerNodeResponse>("TriggerNode", request, ct);

    private async Task<T> CallAsync<T>(string method, object body, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, $"{Service}/{method}"))
        {
            Content = JsonContent.Create(body, options: Json),
        };
        message.Headers.Add("Connect-Protocol-Version", "1");
        using var response = await http.SendAsync(message, ct);
        if (!response.IsSuccessStatusCode)
        {
            ConnectError? error = null;
            try
            {
                error = await response.Content.ReadFromJsonAsync<ConnectError>(Json, ct);
            }
            catch (JsonException)
            {
            }
            throw new ConnectException($"{Service}/{method}", (int)response.StatusCode, error?.Code ?? "unknown", error?.Message);
        }
        return await response.Content.ReadFromJsonAsync<T>(Json, ct) ?? throw new ConnectException(method, 200, "internal", "empty body");
    }
}
