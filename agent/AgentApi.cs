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
/// In tls mode every caller must present a certificate of the cluster CA (mutual TLS); <see cref="PeerGate"/> then
/// decides who may call what.
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
        var gate = new PeerGate(config, () => agent.Promises, log);
        app.Use(gate.InvokeAsync);

        app.MapGet("/livez", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => agent.Ready ? Results.Text("ready\n") : Results.Text("not ready\n", statusCode: 503));
        app.MapMetrics("/metrics", agent.Metrics.Registry);
        app.MapGet("/v1/instance", () => Results.Json(agent.Report(), AgentConfig.Json));
        app.MapPost("/v1/lease/vote", async (HttpContext ctx) =>
        {
            var request = await Body<VoteRequest>(ctx.Request);
            // An agent campaigns for itself only: a vote asked for someone else would let one agent elect another.
            if (request.Candidate != PeerGate.Caller(ctx))
                return await Refused(ctx, gate, $"{PeerGate.Caller(ctx)} asked a vote for {request.Candidate}");
            return Results.Json(agent.Promises.Vote(request), AgentConfig.Json);
        });
        app.MapGet("/v1/intent", () => agent.Promises.Recovered
            ? Results.Json(agent.Promises.Intent, AgentConfig.Json)
            : Results.Json(new { message = "this agent lost its copy of the intent (empty volume) and is reading it back", code = 503 },
                statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapPut("/v1/intent", async (HttpContext ctx) =>
        {
            var record = await Body<IntentRecord>(ctx.Request);
            if (!gate.HoldsLease(PeerGate.Caller(ctx), record.Term, out var why)) return await Refused(ctx, gate, why);
            return Results.Json(agent.Promises.Replicate(record), AgentConfig.Json);
        });
        app.MapGet("/v1/restart", () => Results.Json(agent.Promises.Restart, AgentConfig.Json));
        app.MapPut("/v1/restart", async (HttpContext ctx) =>
        {
            // The restart token is the actor's to grant and free, fenced by its term like the intent.
            var grant = await Body<RestartGrant>(ctx.Request);
            if (!gate.HoldsLease(PeerGate.Caller(ctx), grant.Term, out var why)) return await Refused(ctx, gate, why);
            return Results.Json(agent.Promises.ReplicateRestart(grant), AgentConfig.Json);
        });

        // Hooks: a boot instruction goes to the slot's own agent and carries the actor's term (fencing: refused below the
        // term this agent promised; an empty volume's agent knows no holder to check it against); this agent never
        // passes one on to another slot with its own term. The other routes go to the shared handler.
        app.MapPost("/hooks/v1/boot", async (HttpContext ctx) =>
        {
            var term = PeerGate.Term(ctx.Request);
            var instruction = await Body<BootInstruction>(ctx.Request);
            if (instruction.Slot != config.Slot)
                return await Refused(ctx, gate, $"a boot instruction for slot {instruction.Slot} goes to that slot's agent");
            if (term is null) return await Refused(ctx, gate, $"a boot instruction carries the actor's term ({PeerGate.TermHeader})");
            var answer = agent.AcceptBoot(instruction, term);
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

    private static async Task<IResult> Refused(HttpContext ctx, PeerGate gate, string reason)
    {
        await gate.RefuseAsync(ctx, PeerGate.Caller(ctx), reason);
        return Results.Empty;
    }

    private static async Task<T> Body<T>(HttpRequest r) =>
        await JsonSerializer.DeserializeAsync<T>(r.Body, AgentConfig.Json) ?? throw new BadHttpRequestException("empty body");
}
