using System.Net.Http.Json;

namespace ScyllaApocryph.Providers.Autoscaler;

/// <summary>HTTP client for the hooks API served by the node agent (see HookRecords.cs for the routes).</summary>
public sealed class AutoscalerHooksClient(HttpClient http, Uri baseAddress) : IAutoscalerHooks
{
    public async Task<ListInstancesResponse> ListInstancesAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(baseAddress, "hooks/v1/instances"), cancellationToken);
        return await ReadAsync<ListInstancesResponse>(response, cancellationToken);
    }

    public Task<InstanceFailedResponse> ReportInstanceFailedAsync(InstanceFailedRequest request, CancellationToken cancellationToken) =>
        PostAsync<InstanceFailedRequest, InstanceFailedResponse>("hooks/v1/instance-failed", request, cancellationToken);

    public Task<InstanceAddedResponse> InstanceAddedAsync(InstanceAddedRequest request, CancellationToken cancellationToken) =>
        PostAsync<InstanceAddedRequest, InstanceAddedResponse>("hooks/v1/instance-added", request, cancellationToken);

    public Task<BootResponse> BootAsync(BootInstruction instruction, CancellationToken cancellationToken) =>
        PostAsync<BootInstruction, BootResponse>("hooks/v1/boot", instruction, cancellationToken);

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(new Uri(baseAddress, path), body, HooksJson.Options, ct);
        return await ReadAsync<TResponse>(response, ct);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            var error = await response.Content.ReadFromJsonAsync<HookError>(HooksJson.Options, ct);
            throw new HttpRequestException($"hooks: HTTP {(int)response.StatusCode}: {error?.Error ?? "no detail"}", null, response.StatusCode);
        }
        return await response.Content.ReadFromJsonAsync<T>(HooksJson.Options, ct)
            ?? throw new HttpRequestException("hooks: empty response body");
    }
}
