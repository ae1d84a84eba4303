using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// The Apocryph Autoscaler's Connect endpoint: POST /apocryph.proto.v0.autoscaler.AutoscalerService/{ConnectCluster|TriggerNode}
/// with a JSON body; Connect errors as {"code","message"} with the matching HTTP status. TriggerNode before a cluster is
/// connected fails (the Raft cluster does not exist yet); ConnectCluster needs servers and a gateway.
/// </summary>
public sealed class FakeAutoscalerConnect : HttpMessageHandler
{
    private const string Prefix = "/apocryph.proto.v0.autoscaler.AutoscalerService/";
    private int _peers;

    public List<JsonElement> ConnectCalls { get; } = [];

    public bool Connected { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (request.Method != HttpMethod.Post || !path.StartsWith(Prefix, StringComparison.Ordinal))
            return Error(HttpStatusCode.NotFound, "unimplemented", path);
        if (request.Content?.Headers.ContentType?.MediaType != "application/json")
            return new HttpResponseMessage(HttpStatusCode.UnsupportedMediaType);
        var body = await request.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        switch (path[Prefix.Length..])
        {
            case "ConnectCluster":
                ConnectCalls.Add(body);
                if (!body.TryGetProperty("nodeGateway", out var gw) || gw.GetString() is not { Length: > 0 })
                    return Error(HttpStatusCode.BadRequest, "invalid_argument", "nodeGateway is required");
                var servers = body.TryGetProperty("servers", out var s) ? s.GetArrayLength() : 0;
                if (servers == 0) return Json(new { success = false, error = "no servers given" });
                Connected = true;
                return Json(new { success = true });
            case "TriggerNode":
                if (!Connected) return Error(HttpStatusCode.ServiceUnavailable, "unavailable", "cluster not connected");
                return Json(new { peerID = $"12D3KooWfake{Interlocked.Increment(ref _peers)}" });
            default:
                return Error(HttpStatusCode.NotFound, "unimplemented", path);
        }
    }

    private static HttpResponseMessage Json(object body) => new(HttpStatusCode.OK) { Content = JsonContent.Create(body) };

    private static HttpResponseMessage Error(HttpStatusCode status, string code, string message) =>
        new(status) { Content = JsonContent.Create(new { code, message }) };
}
