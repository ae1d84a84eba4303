using Microsoft.AspNetCore.Http;

namespace ScyllaApocryph.Agent;

/// <summary>
/// Who may call what on the agent API, on top of the transport check (mutual TLS with the cluster CA in tls mode, the
/// overlay firewall in nebula mode). Probes and metrics: anyone past the transport (a kubelet probe, Prometheus).
/// Everything else tells the cluster's topology or changes it, so only the stack's own agents (<see cref="PeerIdentity"/>)
/// may call it; and what changes the cluster (removenode, decommission, the intent, asking for an instance) only the
/// actor: the agent this agent promised the lease to, in the term the request carries (the fencing token), and
/// whose promise has not lapsed. Refusals answer 403 with the reason, and are logged.
/// </summary>
public sealed class PeerGate(AgentConfig config, Func<PromiseStore> promises, JsonLog log)
{
    /// <summary>The term of the actor's lease, on every request an agent sends (see <see cref="PeerClient"/>).</summary>
    public const string TermHeader = FleetHooks.TermHeader;

    private const string CallerKey = "scylla-apocryph-caller";

    private static readonly string[] Open = ["/livez", "/readyz", "/metrics"];

    private static readonly string[] ActorOnly =
        ["/storage_service/remove_node", "/storage_service/decommission", "/hooks/v1/instance-failed", "/hooks/v1/instance-added"];

    /// <summary>The slot the caller was identified as (every route but the open ones has one).</summary>
    public static string Caller(HttpContext ctx) => (string)ctx.Items[CallerKey]!;

    public static long? Term(HttpRequest r) => long.TryParse(r.Headers[TermHeader], out var t) ? t : null;

    public async Task InvokeAsync(HttpContext ctx, RequestDelegate next)
    {
        var path = ctx.Request.Path.Value ?? "";
        if (HttpMethods.IsGet(ctx.Request.Method) && Open.Contains(path))
        {
            await next(ctx);
            return;
        }
        var (slot, why) = PeerIdentity.Of(config, ctx.Connection.ClientCertificate, ctx.Connection.RemoteIpAddress,
            ctx.Request.Headers[PeerIdentity.SlotHeader]);
        if (slot is null)
        {
            await RefuseAsync(ctx, null, $"not an agent of the stack: {why}");
            return;
        }
        ctx.Items[CallerKey] = slot;
        if (!HttpMethods.IsGet(ctx.Request.Method) && ActorOnly.Contains(path) && !HoldsLease(slot, Term(ctx.Request), out why))
        {
            await RefuseAsync(ctx, slot, why);
            return;
        }
        await next(ctx);
    }

    /// <summary>Whether <paramref name="slot"/> holds this agent's promise of the lease in <paramref name="term"/>, now.</summary>
    public bool HoldsLease(string slot, long? term, out string why)
    {
        if (term is not { } t)
        {
            why = $"only the actor may do this, and the request carries no term ({TermHeader})";
            return false;
        }
        return promises().Holds(slot, t, out why);
    }

    public async Task RefuseAsync(HttpContext ctx, string? caller, string reason)
    {
        log.Event("refused", $"{ctx.Request.Method} {ctx.Request.Path}: {reason}", new
        {
            caller,
            remote = ctx.Connection.RemoteIpAddress?.ToString(),
            certificate = ctx.Connection.ClientCertificate?.Subject,
            method = ctx.Request.Method,
            path = ctx.Request.Path.Value,
            term = Term(ctx.Request),
        });
        ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
        await ctx.Response.WriteAsJsonAsync(new { message = reason, code = 403 });
    }
}
