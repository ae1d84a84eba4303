using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Pulumi.Provider;

/// <summary>
/// What the gRPC provider service needs from the package it serves: its schema, how a provider instance is
/// configured, and how its components are constructed. Type tokens here are the engine's (see
/// <see cref="Protocol.TypeTokens"/>); the service translates.
/// </summary>
public interface IPluginPackage
{
    string Version { get; }

    /// <summary>The Pulumi package schema, as JSON text.</summary>
    string Schema { get; }

    /// <summary>The output properties of a custom resource type and whether each is secret (a preview answers them as unknown).</summary>
    IReadOnlyList<(string Key, bool Secret)> Outputs(string engineType);

    /// <summary>Validates a provider instance's configuration; failures name the key.</summary>
    IReadOnlyList<CheckFailure> CheckConfig(PropertyMap config);

    /// <summary>Configuration keys whose change means the old instance can no longer manage its resources.</summary>
    IReadOnlyList<string> ReplacingConfigKeys { get; }

    /// <summary>The resource provider for a checked configuration.</summary>
    IResourceProvider Configure(PropertyMap config);

    /// <summary>Builds a component and registers it, with its children, through <see cref="ComponentRequest.Monitor"/>.</summary>
    Task<ComponentResult> ConstructAsync(ComponentRequest request, CancellationToken cancellationToken);
}

/// <param name="Type">The component's engine type token.</param>
/// <param name="Parent">The URN of the component's parent, or null.</param>
/// <param name="Directory">Where the component's relative paths are taken from (the program's directory).</param>
/// <param name="Monitor">The resource monitor of the deployment, to register children with.</param>
public sealed record ComponentRequest(
    string Type,
    string Name,
    string? Parent,
    PropertyMap Inputs,
    string Project,
    string Stack,
    bool DryRun,
    IReadOnlyList<string> Dependencies,
    string Directory,
    Pulumirpc.ResourceMonitor.ResourceMonitorClient Monitor);

/// <param name="Urn">The URN the component was registered under.</param>
/// <param name="State">The component's outputs (resolved; may hold secrets and, in a preview, unknowns).</param>
/// <param name="StateDependencies">For each output, the URNs of the resources it came from.</param>
public sealed record ComponentResult(string Urn, PropertyMap State, IReadOnlyDictionary<string, IReadOnlyList<string>> StateDependencies);
