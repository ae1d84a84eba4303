using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Providers.Autoscaler;

/// <summary>
/// <c>autoscaler:index:Registration</c>: connects the autoscaler instances into a cluster with ConnectCluster.
/// Inputs: <c>endpoint</c> (the autoscaler's Connect base URL), <c>nodeGateway</c>, <c>servers</c> [string],
/// optional <c>timeoutSeconds</c>. ConnectCluster is repeatable, so Create and Update both call it (idempotent).
/// The autoscaler offers no read or disconnect call: Read returns what was recorded and Delete does nothing remotely.
/// </summary>
public sealed class RegistrationProvider(Func<Uri, AutoscalerConnectClient> clients) : IResourceProvider
{
    public const string Type = "autoscaler:index:Registration";

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var failures = new List<CheckFailure>();
        if (!Uri.TryCreate(request.News.GetString("endpoint"), UriKind.Absolute, out _)) failures.Add(new("endpoint", "an absolute URL is required"));
        if (string.IsNullOrEmpty(request.News.GetString("nodeGateway"))) failures.Add(new("nodeGateway", "is required"));
        if (request.News.Get("servers")?.AsArray is not { Length: > 0 }) failures.Add(new("servers", "at least one server is required"));
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
        var request = new ConnectClusterRequest(inputs.GetString("nodeGateway")!, servers, (uint)(inputs.Get("timeoutSeconds")?.AsNumber ?? 10));
        var response = await clients(new Uri(inputs.GetString("endpoint")!)).ConnectClusterAsync(request, ct);
        if (!response.Success) throw new InvalidOperationException($"ConnectCluster failed: {response.Error ?? "no reason given"}");
        return PropertyMap.Of(("connected", true), ("servers", PropertyValue.Array(servers.Select(s => (PropertyValue)s))));
    }
}
