using ScyllaApocryph.Engine.Providers;

namespace ScyllaApocryph.Providers.Common;

/// <summary>
/// One registered provider name serving several resource types (as a Pulumi package does): every call goes to
/// the provider for the request's type token.
/// </summary>
public abstract class ByTypeProvider(IReadOnlyDictionary<string, IResourceProvider> byType) : RoutingProvider
{
    public IEnumerable<string> Types => byType.Keys;

    protected override IResourceProvider For(string type) =>
        byType.TryGetValue(type, out var p) ? p : throw new ArgumentException($"{GetType().Name} does not manage resources of type {type}");
}
