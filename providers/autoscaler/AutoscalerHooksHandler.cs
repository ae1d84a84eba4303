using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ScyllaApocryph.Providers.Autoscaler;

/// <summary>
/// Serves the hooks API over an <see cref="IAutoscalerHooks"/> backend. An HttpMessageHandler, so it runs in-process
/// behind an HttpClient (tests) and the agent can put it behind any HTTP listener bound to loopback or the overlay.
/// </summary>
public sealed class AutoscalerHooksHandler(IAutoscalerHooks backend) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath.TrimEnd('/') ?? "";
        try
        {
            return (request.Method.Method, path) switch
            {
                ("GET", "/hooks/v1/instances") => Ok(await backend.ListInstancesAsync(cancellationToken)),
                ("POST", "/hooks/v1/instance-failed") =>
                    Ok(await backend.ReportInstanceFailedAsync(await BodyAsync<InstanceFailedRequest>(request, cancellationToken), cancellationToken)),
                ("POST", "/hooks/v1/instance-added") =>
                    Ok(await backend.InstanceAddedAsync(await BodyAsync<InstanceAddedRequest>(request, cancellationToken), cancellationToken)),
                ("POST", "/hooks/v1/boot") =>
                    Ok(await backend.BootAsync(await BodyAsync<BootInstruction>(request, cancellationToken), cancellationToken)),
                (_, "/hooks/v1/instances" or "/hooks/v1/instance-failed" or "/hooks/v1/instance-added" or "/hooks/v1/boot") =>
                    Error(HttpStatusCode.MethodNotAllowed, $"{request.Method} not allowed on {path}"),
                _ => Error(HttpStatusCode.NotFound, $"no hook at {path}"),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return Error(HttpStatusCode.BadRequest, "malformed body: " + e.Message);
        }
    }

    private static async Task<T> BodyAsync<T>(HttpRequestMessage request, CancellationToken ct) =>
        request.Content is null
            ? throw new InvalidDataException("missing body")
            : await request.Content.ReadFromJsonAsync<T>(HooksJson.Options, ct) ?? throw new InvalidDataException("empty body");

    private static HttpResponseMessage Ok<T>(T body) => new(HttpStatusCode.OK) { Content = JsonContent.Create(body, options: HooksJson.Options) };

    private static HttpResponseMessage Error(HttpStatusCode status, string message) =>
        new(status) { Content = JsonContent.Create(new HookError(message), options: HooksJson.Options) };
}
