using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Prometheus;
using ScyllaApocryph.Providers.Autoscaler;

namespace ScyllaApocryph.Agent;

/// <summary>
/// The agent's HTTP API on its listen address: the node view relayed from ScyllaDB's REST API (read-only membership
/// calls, plus the two topology POSTs an actor issues through a member), the instance report, the election and intent
/// replication, the hooks, and /readyz, /livez, /metrics. ScyllaDB's REST API itself stays on 127.0.0.1.
/// In tls mode every caller must present a certificate of the cluster CA (mutual TLS).
/// </summary>
public static class AgentApi
{
    /// <summary>ScyllaDB REST calls a peer may make through this agent (api-doc, scylla-2025.1): membership reads only,
    /// and removenode/decommission, which the actor issues through a live member.</summary>
    private static readonly string[] RelayedGets =
    [
        "/gossiper/endpoint/live/", "/gossiper/endpoint/down/", "/storage_service/host_id", "/storage_service/hostid/local",
        "/storage_service/nodes/joining", "/storage_service/nodes/leaving", "/storage_service/nodes/moving",
        "/storage_service/native_transport", "/snitch/datacenter", "/snitch/rack",
    ];

    private static readonly string[] RelayedPosts = ["/storage_service/remove_node", "/storage_service/decommission"];

    public static async Task<WebApplication> StartAsync(NodeAgent agent, JsonLog log)
    {
        var config = agent.Config;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var endpoint = IPEndPoint.Parse(config.Listen);
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint, listen =>
        {
            if (agent.Peers.Tls is not { } material) return;
            // The newest certificate and CA at every handshake (reloaded by the input watcher when the files change).
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificateSelector = (_, _) => material.Certificate,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (cert, _, _) => ClusterCa.Chains(material.Ca, cert),
            });
        }));
        var app = builder.Build();
        var relay = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

        app.MapGet("/livez", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => agent.Ready ? Results.Text("ready\n") : Results.Text("not ready\n", statusCode: 503));
        app.MapMetrics("/metrics", agent.Metrics.Registry);
        app.MapGet("/v1/instance", () => Results.Json(agent.Report(), AgentConfig.Json));
        app.MapPost("/v1/lease/vote", async (HttpRequest r) =>
            Results.Json(agent.Promises.Vote(await Body<VoteRequest>(r)), AgentConfig.Json));
        app.MapGet("/v1/intent", () => Results.Json(agent.Promises.Intent, AgentConfig.Json));
        app.MapPut("/v1/intent", async (HttpRequest r) =>
            Results.Json(agent.Promises.Replicate(await Body<IntentRecord>(r)), AgentConfig.Json));
        app.MapGet("/v1/restart", () => Results.Json(agent.Promises.Restart, AgentConfig.Json));
        app.MapPut("/v1/restart", async (HttpRequest r) =>
            Results.Json(agent.Promises.ReplicateRestart(await Body<RestartGrant>(r)), AgentConfig.Json));

        // Hooks: a boot instruction carries the actor's term (fencing); the other routes go to the shared handler.
        app.MapPost("/hooks/v1/boot", async (HttpRequest r) =>
        {
            long? term = long.TryParse(r.Headers[FleetHooks.TermHeader], out var t) ? t : null;
            var instruction = await Body<BootInstruction>(r);
            var answer = instruction.Slot == config.Slot
                ? agent.AcceptBoot(instruction, term)
                : await agent.Hooks!.BootAsync(instruction, r.HttpContext.RequestAborted);
            return Results.Json(answer, AgentConfig.Json, statusCode: answer.Accepted ? 200 : 409);
        });
        var hooks = new HttpMessageInvoker(new AutoscalerHooksHandler(agent.Hooks!));
        app.Map("/hooks/v1/{**rest}", async (HttpContext ctx) =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method),
                "http://agent" + ctx.Request.Path + ctx.Request.QueryString);
            if (ctx.Request.ContentLength > 0 || ctx.Request.Headers.ContainsKey("Transfer-Encoding"))
            {
                request.Content = new StreamContent(ctx.Request.Body);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ctx.Request.ContentType ?? "application/json");
            }
            using var response = await hooks.SendAsync(request, ctx.RequestAborted);
            ctx.Response.StatusCode = (int)response.StatusCode;
            ctx.Response.ContentType = "application/json";
            await response.Content.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
        });

        foreach (var path in RelayedGets) app.MapGet(path, (HttpContext ctx) => Relay(ctx, relay, agent.ScyllaApi));
        foreach (var path in RelayedPosts) app.MapPost(path, (HttpContext ctx) => Relay(ctx, relay, agent.ScyllaApi));

        await app.StartAsync();
        log.Event("api", $"agent API on {(config.Security == "tls" ? "https" : "http")}://{config.Listen} (security {config.Security})");
        return app;
    }

    private static async Task Relay(HttpContext ctx, HttpClient relay, Uri api)
    {
        using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), new Uri(api, ctx.Request.Path + ctx.Request.QueryString));
        try
        {
            using var response = await relay.SendAsync(request, ctx.RequestAborted);
            ctx.Response.StatusCode = (int)response.StatusCode;
            ctx.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
            await response.Content.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            // The local node is not running: the peer sees this node as unreachable, as it would ScyllaDB itself.
            ctx.Response.StatusCode = 502;
            await ctx.Response.WriteAsJsonAsync(new { message = "local ScyllaDB unreachable: " + e.Message, code = 502 });
        }
    }

    private static async Task<T> Body<T>(HttpRequest r) =>
        await JsonSerializer.DeserializeAsync<T>(r.Body, AgentConfig.Json) ?? throw new BadHttpRequestException("empty body");
}
