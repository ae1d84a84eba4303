using System.Collections.Concurrent;
using Pulumirpc;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Pulumi.Protocol;

namespace ScyllaApocryph.Pulumi.Program;

/// <summary>
/// Registers a desired resource graph with Pulumi's resource monitor, as a language SDK does: one explicit provider
/// resource (<c>pulumi:providers:scylla-apocryph</c>) per provider name the graph uses, then every resource in
/// registration order with its parent, dependencies and provider, each as soon as what it depends on has been
/// registered (independent branches go in parallel). Output references become the values the monitor answered
/// (unknown in a preview) and also property dependencies. Components get RegisterResourceOutputs once their
/// children are in. Used by the program under <c>pulumi up</c> and by the plugin's Construct.
/// </summary>
public sealed class ResourceRegistrar(ResourceMonitor.ResourceMonitorClient monitor, bool dryRun)
{
    private readonly ConcurrentDictionary<Urn, Task<Registered>> _registered = new();

    /// <param name="graph">The desired graph.</param>
    /// <param name="providerConfig">Each provider name's configuration (inputs of its provider resource).</param>
    /// <param name="rootParent">The URN parentless resources hang under (the stack, or a component's parent).</param>
    /// <param name="renameRoot">A name for the graph's first resource (Construct registers it under the engine's name).</param>
    /// <param name="rootDependencies">URNs every parentless resource depends on (Construct's dependencies).</param>
    /// <returns>The URN each declaration was registered under, and the graph's outputs resolved.</returns>
    public async Task<RegistrationResult> RegisterAsync(ResourceGraph graph, Func<string, PropertyMap> providerConfig, string? rootParent,
        string? renameRoot, IReadOnlyList<string> rootDependencies, CancellationToken cancellationToken, bool outputsOnRoot = false)
    {
        await RequireFeatureAsync("secrets", cancellationToken);
        var providers = new Dictionary<string, Task<string>>(StringComparer.Ordinal);
        foreach (var name in graph.Resources.Where(r => !r.IsComponent).Select(r => r.Provider!).Distinct())
            providers[name] = RegisterProviderAsync(name, providerConfig(name), rootParent, cancellationToken);

        var first = graph.Resources.FirstOrDefault();
        foreach (var r in graph.Resources)
        {
            var name = renameRoot is not null && ReferenceEquals(r, first) ? renameRoot : r.Name;
            _registered[r.Urn] = RegisterOneAsync(r, name, providers, rootParent, rootDependencies, cancellationToken);
        }
        var all = await Task.WhenAll(graph.Resources.Select(r => _registered[r.Urn]));

        var outputs = graph.Outputs.MapValues(v => Resolve(v, all.ToDictionary(a => a.Declaration.Urn)));
        // A component's outputs close it: after every child (and their children) is registered. With outputsOnRoot
        // the graph's outputs are the first resource's (a constructed component's state).
        foreach (var r in graph.Resources.Where(r => r.IsComponent).Reverse())
        {
            await monitor.RegisterResourceOutputsAsync(new RegisterResourceOutputsRequest
            {
                Urn = (await _registered[r.Urn]).Urn,
                Outputs = outputsOnRoot && ReferenceEquals(r, first) ? PropertyStruct.ToStruct(outputs) : new Google.Protobuf.WellKnownTypes.Struct(),
            }, cancellationToken: cancellationToken);
        }

        var outputDependencies = graph.Outputs.ToDictionary(kv => kv.Key,
            kv => (IReadOnlyList<string>)kv.Value.References.Select(x => _registered[x.Urn].Result.Urn).Distinct().ToList());
        return new RegistrationResult(all.ToDictionary(a => a.Declaration.Urn, a => a.Urn), outputs, outputDependencies);
    }

    private async Task RequireFeatureAsync(string feature, CancellationToken ct)
    {
        var response = await monitor.SupportsFeatureAsync(new SupportsFeatureRequest { Id = feature }, cancellationToken: ct);
        if (!response.HasSupport)
            throw new InvalidOperationException($"the Pulumi engine does not support '{feature}', which this program needs (secrets must never reach state in plaintext)");
    }

    private async Task<string> RegisterProviderAsync(string name, PropertyMap config, string? parent, CancellationToken ct)
    {
        var response = await monitor.RegisterResourceAsync(new RegisterResourceRequest
        {
            Type = TypeTokens.ProviderType,
            // Provider names such as "_random" are the engine's internal ones; Pulumi allows them as resource names.
            Name = name,
            Parent = parent ?? "",
            Custom = true,
            Object = PropertyStruct.ToStruct(config),
            AcceptSecrets = true,
            AcceptResources = true,
        }, cancellationToken: ct);
        // Upstream's provider reference format: "<urn>::<id>" (the id is the unknown value in a preview).
        return $"{response.Urn}::{(response.Id.Length > 0 ? response.Id : PropertyStruct.UnknownString)}";
    }

    private async Task<Registered> RegisterOneAsync(ResourceDeclaration r, string name, IReadOnlyDictionary<string, Task<string>> providers,
        string? rootParent, IReadOnlyList<string> rootDependencies, CancellationToken ct)
    {
        var dependencies = new Dictionary<Urn, Registered>();
        foreach (var d in r.Dependencies) dependencies[d] = await _registered[d];
        var parent = r.Parent is { } p ? dependencies[p].Urn : rootParent ?? "";
        var inputs = r.Inputs.MapValues(v => Resolve(v, dependencies));

        var request = new RegisterResourceRequest
        {
            Type = TypeTokens.ToPulumi(r.Type),
            Name = name,
            Parent = parent,
            Custom = !r.IsComponent,
            Object = PropertyStruct.ToStruct(inputs),
            AcceptSecrets = true,
            AcceptResources = true,
            SupportsPartialValues = false,
        };
        if (!r.IsComponent)
        {
            request.Provider = await providers[r.Provider!];
            request.Protect = r.Options.Protect;
            request.DeleteBeforeReplace = r.Options.DeleteBeforeReplace;
            request.DeleteBeforeReplaceDefined = r.Options.DeleteBeforeReplace;
            request.IgnoreChanges.AddRange(r.Options.IgnoreChanges);
            request.ReplaceOnChanges.AddRange(r.Options.ReplaceOnChanges);
            if (r.Options.Timeouts is { Create: not null } or { Update: not null } or { Delete: not null })
                request.CustomTimeouts = new RegisterResourceRequest.Types.CustomTimeouts
                {
                    Create = GoDuration(r.Options.Timeouts.Create),
                    Update = GoDuration(r.Options.Timeouts.Update),
                    Delete = GoDuration(r.Options.Timeouts.Delete),
                };
        }
        // Dependencies besides the parent: explicit dependsOn and every resource an input refers to.
        var dependsOn = r.Dependencies.Where(d => d != r.Parent).Select(d => dependencies[d].Urn);
        if (r.Parent is null) dependsOn = dependsOn.Concat(rootDependencies);
        request.Dependencies.AddRange(dependsOn.Distinct());
        foreach (var (key, value) in r.Inputs)
        {
            var urns = value.References.Select(x => dependencies[x.Urn].Urn).Distinct().ToList();
            request.PropertyDependencies[key] = new RegisterResourceRequest.Types.PropertyDependencies { Urns = { urns } };
        }

        var response = await monitor.RegisterResourceAsync(request, cancellationToken: ct);
        return new Registered(r, response.Urn, PropertyStruct.FromStruct(response.Object));
    }

    /// <summary>Replaces output references with the registered resources' outputs, as the built-in engine does.</summary>
    private PropertyValue Resolve(PropertyValue value, IReadOnlyDictionary<Urn, Registered> dependencies) => value.Transform(v =>
        v is OutputReference r
            ? dependencies.TryGetValue(r.Urn, out var d)
                ? d.Outputs.Get(r.Output) ?? (dryRun ? PropertyValue.Unknown : throw new InvalidOperationException($"{r.Urn.Name} has no output '{r.Output}'"))
                : throw new InvalidOperationException($"{r.Urn.Name} is referenced but not registered before it")
            : null);

    private static string GoDuration(TimeSpan? t) => t is { } v ? $"{(long)v.TotalSeconds}s" : "";

    private sealed record Registered(ResourceDeclaration Declaration, string Urn, PropertyMap Outputs);
}

/// <param name="Urns">The Pulumi URN each declaration was registered under.</param>
/// <param name="Outputs">The graph's outputs, resolved (unknown where a preview does not know them yet).</param>
/// <param name="OutputDependencies">For each output, the URNs of the resources it came from.</param>
public sealed record RegistrationResult(IReadOnlyDictionary<Urn, string> Urns, PropertyMap Outputs, IReadOnlyDictionary<string, IReadOnlyList<string>> OutputDependencies);
