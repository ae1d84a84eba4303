using System.Text.Json;
using Grpc.Core;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Infra;
using ScyllaApocryph.Infra.Config;
using ScyllaApocryph.Infra.PulumiEngine;
using ScyllaApocryph.Pulumi.Program;
using ScyllaApocryph.Pulumi.Protocol;
using ScyllaApocryph.Pulumi.Provider;

namespace ScyllaApocryph.Plugin;

/// <summary>Package scylla-apocryph as the plugin serves it.</summary>
public sealed class ScyllaApocryphPackage : IPluginPackage
{
    public string Version { get; } = typeof(ScyllaApocryphPackage).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    public string Schema => _schema.Value;

    private readonly Lazy<string> _schema;

    public ScyllaApocryphPackage() => _schema = new(() => PackageSchema.Build(Version));

    public IReadOnlyList<(string Key, bool Secret)> Outputs(string engineType) =>
        ResourceCatalog.Find(engineType)?.Outputs.Select(o => (o.Name, o.Secret)).ToList() ?? [];

    public IReadOnlyList<CheckFailure> CheckConfig(PropertyMap config) => PluginConfig.Check(config);

    public IReadOnlyList<string> ReplacingConfigKeys => PluginConfig.Replacing;

    public IResourceProvider Configure(PropertyMap config) => new PackageProvider(config);

    /// <summary>
    /// The ScyllaCluster component: its inputs are the stack file's settings, validated by the same loader (errors
    /// name the same key paths); the graph is the one the built-in engine plans, registered under the component.
    /// Relative directories are taken from the program's directory (see <see cref="ComponentRequest.Directory"/>).
    /// </summary>
    public async Task<ComponentResult> ConstructAsync(ComponentRequest request, CancellationToken cancellationToken)
    {
        if (request.Type != ResourceTypes.Cluster)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{TypeTokens.ToPulumi(request.Type)} is not a component of {TypeTokens.Package}"));
        if (request.Inputs.Values.Any(v => v.ContainsUnknowns))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the cluster's settings must be known when it is constructed"));
        StackSpec spec;
        try
        {
            spec = StackConfigLoader.Parse(TypeTokens.Package, request.Stack, "ScyllaCluster inputs", StackText(request.Inputs));
        }
        catch (ConfigException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join("; ", e.Errors)));
        }
        var graph = StackProgram.Declare(spec);
        var directory = request.Directory;
        var result = await new ResourceRegistrar(request.Monitor, request.DryRun).RegisterAsync(graph,
            name => PulumiProviderConfig.For(spec, name, directory), request.Parent, request.Name, request.Dependencies, cancellationToken,
            outputsOnRoot: true);
        return new ComponentResult(result.Urns[graph.Resources[0].Urn], result.Outputs, result.OutputDependencies);
    }

    /// <summary>The inputs as a stack file: {"config": {"scylla-apocryph:cluster": ..., ...}} (JSON is YAML).</summary>
    private static string StackText(PropertyMap inputs)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("config");
            foreach (var (key, value) in inputs)
            {
                w.WritePropertyName($"{TypeTokens.Package}:{key}");
                PropertyJson.WritePlain(w, value.Reveal(), showSecrets: true);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
