using Grpc.Core;
using Pulumirpc;

namespace ScyllaApocryph.Infra.PulumiEngine;

/// <summary>Diagnostics through Pulumi's Engine.Log, so they appear in `pulumi up`'s output; also on stderr if the engine is gone.</summary>
public sealed class EngineLog(Pulumirpc.Engine.EngineClient engine, TextWriter fallback)
{
    public async Task WriteAsync(LogSeverity severity, string message, CancellationToken cancellationToken, string urn = "")
    {
        try
        {
            await engine.LogAsync(new LogRequest { Severity = severity, Message = message, Urn = urn }, cancellationToken: cancellationToken);
        }
        catch (RpcException)
        {
            fallback.WriteLine($"{severity.ToString().ToLowerInvariant()}: {message}");
        }
    }
}
