using ScyllaApocryph.Components.Autoscaler;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Providers.Autoscaler;

/// <summary>
/// <c>autoscaler:index:Registration</c>: connects the autoscaler instances into a cluster with ConnectCluster.
/// Inputs: <c>endpoint</c> (the autoscaler's Connect base URL), <c>nodeGateway</c>, <c>servers</c>
/// [<c>http://&lt;IPv4&gt;:&lt;port&gt;</c>], optional <c>timeoutSeconds</c> (default tpodctl's 30).
/// </summary>
/// <remarks>
/// Upstream ConnectCluster is not idempotent (pkg/autoscaler/server.go at 4bbf371): once an instance has started,
/// by an earlier ConnectCluster or by a TriggerNode from another instance, it answers <c>success: false</c> with
/// "Server Already Started" and keeps the servers it started with. Create (also when the engine re-drives it after a
/// crash) and Update therefore take that answer as "already connected". The autoscaler offers no read or disconnect
/// call: Read returns what was recorded and Delete does nothing remotely.
/// </remarks>
public sealed class RegistrationProvider(Func<Uri, AutoscalerConnectClient> clients) : IResourceProvider
{
    public const string Type = ResourceTypes.AutoscalerRegistration;

    /// <summary>Upstream's answer to a ConnectCluster on an instance that has started (its text ends with a newline).</summary>
    public const string AlreadyStarted = "Server Already Started";

    /// <summary>
    /// Upstream sleeps 5 s before it waits up to <c>timeout</c> seconds for a leader; the call may take that long and
    /// more for the HTTP round trips to every server, so it gets this much beyond <c>timeout</c>.
    /// </summary>
    private static readonly TimeSpan CallMargin = TimeSpan.FromSeconds(35);

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var failures = new List<CheckFailure>();
        if (!Uri.TryCreate(request.News.GetString("endpoint"), UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            failures.Add(new("endpoint", "an absolute http(s) URL is required"));
        if (string.IsNullOrEmpty(request.News.GetString("nodeGateway"))) failures.Add(new("nodeGateway", "is required"));
        if (request.News.Get("servers")?.AsArray is not { Length: > 0 } servers) failures.Add(new("servers", "at least one server is required"));
        else
            for (var i = 0; i < servers.Length; i++)
                if (AutoscalerServerAddress.Problem(servers[i].AsString ?? "") is { } problem) failures.Add(new($"servers[{i}]", problem));
        if (request.News.Get("timeoutSeconds")?.AsNumber is { } t && (t < 1 || t > uint.MaxValue || t != Math.Floor(t)))
            failures.Add(new("timeoutSeconds", "must be a whole number of seconds >= 1"));
        return Task.FromResult(failures.Count == 0 ? CheckResult.Ok(request.News) : CheckResult.Fail(request.News, [.. failures]));
    }

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(DiffResult.ByInputs(request.OldInputs, request.NewInputs, "endpoint"));

    public async Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken) =>
        new(request.Inputs.GetString("endpoint")!, await ConnectAsync(request.Inputs, cancellationToken));

    public async Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) =>
        new(await ConnectAsync(request.NewInputs, cancellationToken));

    public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<ReadResult?>(new ReadResult(request.Id, request.Outputs));

    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<PropertyMap> ConnectAsync(PropertyMap inputs, CancellationToken ct)
    {
        var servers = inputs.Get("servers")!.AsArray!.Value.Select(v => v.AsString ?? "").ToList();
        var timeout = (uint)(inputs.Get("timeoutSeconds")?.AsNumber ?? Defaults.AutoscalerTimeoutSeconds);
        var request = new ConnectClusterRequest(inputs.GetString("nodeGateway")!, servers, timeout);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(timeout) + CallMargin);
        var response = await clients(new Uri(inputs.GetString("endpoint")!)).ConnectClusterAsync(request, limit.Token);
        var alreadyStarted = !response.Success && response.Error?.Trim() == AlreadyStarted;
        if (!response.Success && !alreadyStarted)
        {
            var reason = response.Error?.Trim() is { Length: > 0 } e ? e : "no reason given";
            throw new InvalidOperationException($"ConnectCluster failed: {reason}");
        }
        return PropertyMap.Of(("connected", true), ("alreadyStarted", alreadyStarted),
            ("servers", PropertyValue.Array(servers.Select(s => (PropertyValue)s))));
    }
}
