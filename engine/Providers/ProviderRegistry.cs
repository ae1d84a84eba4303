namespace ScyllaApocryph.Engine.Providers;

/// <summary>The provider instances of one stack, by the name resources use to refer to them.</summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IResourceProvider> _providers = new(StringComparer.Ordinal);

    public ProviderRegistry Add(string name, IResourceProvider provider)
    {
        if (!_providers.TryAdd(name, provider)) throw new ArgumentException($"provider '{name}' is registered twice");
        return this;
    }

    public bool Contains(string name) => _providers.ContainsKey(name);

    public IResourceProvider Get(string name) =>
        _providers.TryGetValue(name, out var provider)
            ? provider
            : throw new KeyNotFoundException($"no provider named '{name}' is configured for this stack");
}
