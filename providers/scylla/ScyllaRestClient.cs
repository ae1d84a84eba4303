using System.Net.Http.Json;
using System.Text.Json;
using Polly;
using Polly.Retry;

namespace ScyllaApocryph.Providers.Scylla;

/// <summary>
/// Typed client for one node's REST API (port 10000, no authentication, so it is only ever reached on loopback or
/// through a tunnel). Covers the membership endpoints: gossiper live/down, host ID map, local host ID, ring states,
/// native transport, snitch datacenter/rack, removenode and decommission.
/// </summary>
public sealed class ScyllaRestClient
{
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly ScyllaRestOptions _options;
    private readonly TimeProvider _clock;
    private readonly ResiliencePipeline _getPipeline;

    public ScyllaRestClient(HttpClient http, Uri baseAddress, TimeProvider clock, ScyllaRestOptions? options = null)
    {
        _http = http;
        _base = baseAddress;
        _clock = clock;
        _options = options ?? ScyllaRestOptions.Default;
        _getPipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, _options.GetRetries),
                Delay = _options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                // Transport failures and timeouts are worth a retry; an error the node answered with is not.
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutException>(),
            })
            .Build();
        if (_options.GetRetries == 0) _getPipeline = ResiliencePipeline.Empty;
    }

    public Uri BaseAddress => _base;

    public Task<IReadOnlyList<string>> LiveEndpointsAsync(CancellationToken ct) => GetAsync<IReadOnlyList<string>>("/gossiper/endpoint/live/", ct);

    public Task<IReadOnlyList<string>> DownEndpointsAsync(CancellationToken ct) => GetAsync<IReadOnlyList<string>>("/gossiper/endpoint/down/", ct);

    /// <summary>
    /// Endpoint -> host ID for every node of the topology that has not left, zero-token and joining ones included (a list
    /// of <c>{"key": ip, "value": host id}</c>; api/token_metadata.cc, scylla-2025.1.4). While a node is replaced by one with
    /// the same address, either host ID may be the one listed.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> HostIdMapAsync(CancellationToken ct)
    {
        var pairs = await GetAsync<IReadOnlyList<KeyValueJson>>("/storage_service/host_id", ct);
        return pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }

    public Task<string> LocalHostIdAsync(CancellationToken ct) => GetAsync<string>("/storage_service/hostid/local", ct);

    public Task<IReadOnlyList<string>> JoiningAsync(CancellationToken ct) => GetAsync<IReadOnlyList<string>>("/storage_service/nodes/joining", ct);

    public Task<IReadOnlyList<string>> LeavingAsync(CancellationToken ct) => GetAsync<IReadOnlyList<string>>("/storage_service/nodes/leaving", ct);

    public Task<bool> NativeTransportRunningAsync(CancellationToken ct) => GetAsync<bool>("/storage_service/native_transport", ct);

    /// <summary>
    /// The datacenter of <paramref name="host"/> as this node's topology knows it, or "datacenter1" (with 200) when it does
    /// not know the host: see <see cref="ClusterObserver.DefaultDatacenter"/>. An empty host means this node itself.
    /// </summary>
    public Task<string> DatacenterOfAsync(string host, CancellationToken ct) =>
        GetAsync<string>("/snitch/datacenter?host=" + Uri.EscapeDataString(host), ct);

    public Task<string> RackOfAsync(string host, CancellationToken ct) =>
        GetAsync<string>("/snitch/rack?host=" + Uri.EscapeDataString(host), ct);

    /// <summary>removenode: never retried here (not idempotent); the reconciler's intent journal covers crashes.</summary>
    public Task RemoveNodeAsync(string hostId, IReadOnlyList<string> ignoreHostIds, CancellationToken ct)
    {
        var path = "/storage_service/remove_node?host_id=" + Uri.EscapeDataString(hostId);
        if (ignoreHostIds.Count > 0) path += "&ignore_nodes=" + Uri.EscapeDataString(string.Join(',', ignoreHostIds));
        return PostAsync(path, ct);
    }

    /// <summary>Decommissions the node this client talks to.</summary>
    public Task DecommissionAsync(CancellationToken ct) => PostAsync("/storage_service/decommission", ct);

    private Task<T> GetAsync<T>(string path, CancellationToken ct) =>
        _getPipeline.ExecuteAsync(async token =>
        {
            using var response = await SendAsync(HttpMethod.Get, path, _options.RequestTimeout, token);
            try
            {
                return (await response.Content.ReadFromJsonAsync<T>(JsonOptions, token))!;
            }
            catch (JsonException e)
            {
                // An answer that is not what the route returns (a node shutting down, a proxy's page): the node answered,
                // but said nothing usable. Callers treat it like any other error answer.
                throw new ScyllaRestException(path, (int)response.StatusCode, $"unreadable answer: {e.Message}");
            }
        }, ct).AsTask();

    private async Task PostAsync(string path, CancellationToken ct)
    {
        using var _ = await SendAsync(HttpMethod.Post, path, _options.OperationTimeout, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, TimeSpan timeout, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(timeout, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(new HttpRequestMessage(method, new Uri(_base, path)), linked.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            // Not the caller's cancellation, so a timeout: ours (per request: short for GETs, long for topology POSTs,
            // which block until the operation ends) or the HttpClient's own Timeout, which should be infinite here.
            var who = timer.IsCancellationRequested
                ? $"no answer within {Fmt(timeout)}"
                : $"the HTTP client gave up after {Fmt(_http.Timeout)} (its own Timeout; the request's limit was {Fmt(timeout)})";
            throw new TimeoutException($"{method} {_base}{path.TrimStart('/')}: {who}" +
                (method == HttpMethod.Post ? "; the operation may still be running on the cluster" : ""), e);
        }
        if (response.IsSuccessStatusCode) return response;
        var body = await response.Content.ReadAsStringAsync(ct);
        response.Dispose();
        throw new ScyllaRestException(path, (int)response.StatusCode, ErrorMessage(body));
    }

    private static string Fmt(TimeSpan t) =>
        t == Timeout.InfiniteTimeSpan ? "no limit" : t.TotalSeconds < 120 ? $"{t.TotalSeconds:0.#}s" : $"{t.TotalMinutes:0.#}m";

    private static string ErrorMessage(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("message", out var m)) return m.GetString() ?? body;
        }
        catch (JsonException)
        {
        }
        return body;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record KeyValueJson(string Key, string Value);
}
