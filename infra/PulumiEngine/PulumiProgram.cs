using Grpc.Core;
using Grpc.Net.Client;
using Pulumirpc;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Infra.Cli;
using ScyllaApocryph.Infra.Config;
using ScyllaApocryph.Pulumi.Program;
using ScyllaApocryph.Pulumi.Protocol;

namespace ScyllaApocryph.Infra.PulumiEngine;

/// <summary>
/// The program as the Pulumi CLI runs it (<c>runtime: dotnet</c>): the language host starts it with
/// <c>PULUMI_MONITOR</c>, <c>PULUMI_ENGINE</c>, <c>PULUMI_PROJECT</c>, <c>PULUMI_STACK</c>, <c>PULUMI_DRY_RUN</c> and
/// <c>PULUMI_CONFIG</c> set. It registers the root stack resource, the same resource graph the built-in engine plans,
/// and the stack outputs; the resources themselves are created by the plugin pulumi-resource-scylla-apocryph.
/// Diagnostics go through Engine.Log.
/// </summary>
public sealed class PulumiProgram(CliEnvironment env)
{
    public const string StackType = "pulumi:pulumi:Stack";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        string Need(string name) => env.GetEnvironmentVariable(name) is { Length: > 0 } v ? v
            : throw new ConfigException([$"{name}: not set; the Pulumi CLI sets it when it runs a program (PULUMI_MONITOR is set, so this looks like a partial start)"]);

        string monitorAddress, engineAddress, stack, project;
        try
        {
            monitorAddress = Need("PULUMI_MONITOR");
            engineAddress = Need("PULUMI_ENGINE");
            stack = Need("PULUMI_STACK");
            project = env.GetEnvironmentVariable("PULUMI_PROJECT") is { Length: > 0 } p ? p : ProjectInfo.Find(env.WorkingDirectory).Name;
        }
        catch (ConfigException e)
        {
            foreach (var error in e.Errors) env.Error.WriteLine("error: " + error);
            return ExitCodes.BadInput;
        }
        var dryRun = string.Equals(env.GetEnvironmentVariable("PULUMI_DRY_RUN"), "true", StringComparison.OrdinalIgnoreCase);

        using var engineChannel = GrpcChannel.ForAddress(Endpoints.Http(engineAddress));
        using var monitorChannel = GrpcChannel.ForAddress(Endpoints.Http(monitorAddress));
        var engine = new Pulumirpc.Engine.EngineClient(engineChannel);
        var monitor = new ResourceMonitor.ResourceMonitorClient(monitorChannel);
        var log = new EngineLog(engine, env.Error);

        StackSpec spec;
        Engine.Resources.ResourceGraph graph;
        try
        {
            spec = env.GetEnvironmentVariable("PULUMI_CONFIG") is { Length: > 0 } config
                ? PulumiStackConfig.Parse(project, stack, config)
                : StackConfigLoader.Load(ProjectInfo.Find(env.WorkingDirectory), stack);
            spec = await ProviderChoice.ProviderChoices.RecordedOnlyAsync(spec, () => ProjectInfo.Find(env.WorkingDirectory).Directory, stack, cancellationToken);
            graph = StackProgram.Declare(spec);
        }
        catch (Exception e) when (e is ConfigException or Engine.State.StateDamagedException)
        {
            foreach (var error in e is ConfigException c ? c.Errors : [e.Message]) await log.WriteAsync(LogSeverity.Error, error, cancellationToken);
            return ExitCodes.BadInput;
        }

        try
        {
            foreach (var warning in spec.Warnings) await log.WriteAsync(LogSeverity.Warning, warning, cancellationToken);
            var root = await monitor.RegisterResourceAsync(new RegisterResourceRequest
            {
                Type = StackType,
                Name = $"{project}-{stack}",
                Custom = false,
                Object = new Google.Protobuf.WellKnownTypes.Struct(),
                AcceptSecrets = true,
                AcceptResources = true,
            }, cancellationToken: cancellationToken);
            await engine.SetRootResourceAsync(new SetRootResourceRequest { Urn = root.Urn }, cancellationToken: cancellationToken);

            var projectDirectory = env.WorkingDirectory;
            var result = await new ResourceRegistrar(monitor, dryRun).RegisterAsync(graph,
                name => PulumiProviderConfig.For(spec, name, projectDirectory), root.Urn, null, [], cancellationToken);
            await monitor.RegisterResourceOutputsAsync(new RegisterResourceOutputsRequest
            {
                Urn = root.Urn,
                Outputs = PropertyStruct.ToStruct(result.Outputs),
            }, cancellationToken: cancellationToken);
            await log.WriteAsync(LogSeverity.Info, $"registered {graph.Resources.Count} resources of cluster {spec.Cluster.Name}" + (dryRun ? " (preview)" : ""), cancellationToken);
            return ExitCodes.Ok;
        }
        catch (RpcException e)
        {
            // The engine has reported the failed step itself; say which call failed for the program's log.
            env.Error.WriteLine($"error: the Pulumi engine answered {e.StatusCode}: {e.Status.Detail}");
            return ExitCodes.Failed;
        }
        catch (InvalidOperationException e)
        {
            // An engine without a feature this program needs, or an output a resource did not produce.
            await log.WriteAsync(LogSeverity.Error, e.Message, CancellationToken.None);
            return ExitCodes.Failed;
        }
    }
}
