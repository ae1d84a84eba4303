using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers;
using ScyllaApocryph.Providers.Kubernetes;
using ScyllaApocryph.Providers.Render;
using ScyllaApocryph.Providers.Scylla;

namespace ScyllaApocryph.Plugin;

/// <summary>
/// One configured provider instance of the plugin: sends each call to the built-in engine's provider for the
/// request's type. Hosting resources (render files, Kubernetes objects, membership) go to the provider the
/// configuration names; the PKI, password, wallet and autoscaler resources to the same shared providers the built-in
/// engine registers for every stack.
/// </summary>
public sealed class PackageProvider : RoutingProvider
{
    private static readonly Dictionary<string, string> SharedByPackage = new(StringComparer.Ordinal)
    {
        ["random"] = ScyllaCluster.RandomProvider,
        ["tls"] = SecurityMaterial.TlsProvider,
        ["nebula"] = SecurityMaterial.NebulaProvider,
        ["wallet"] = SecurityMaterial.WalletProvider,
        ["autoscaler"] = ClusterOperations.AutoscalerProvider,
    };

    private readonly ProviderRegistry _shared = BuiltInProviders.Registry();
    private readonly string? _kind;
    private readonly IResourceProvider? _hosting;

    public PackageProvider(PropertyMap config)
    {
        _kind = config.GetString("kind");
        _hosting = _kind switch
        {
            // Confined at apply time as the CLI's render providers are: no write through a link out of the project.
            "render" => new RenderProvider(config.GetString("directory")!, PluginConfig.ProjectDirectory(config)),
            "kubernetes" => Kubernetes(config),
            "membership" => BuiltInProviders.Membership(new ReconciliationSpec(new Uri(config.GetString("hooks")!), ""), config.GetString("stateDirectory")!),
            _ => null,
        };
    }

    /// <summary>A Kubernetes provider that deletes volume claims on destroy only when the environment asks it for this stack.</summary>
    private static KubernetesProvider Kubernetes(PropertyMap config)
    {
        var provider = KubernetesProvider.ForContext(config.GetString("context")!, config.GetString("kubeconfig"));
        provider.DeleteDataOf = DataDeletionRequest.FromEnvironment(Environment.GetEnvironmentVariable);
        return provider;
    }

    protected override IResourceProvider For(string type)
    {
        var package = TypeToken.Package(type);
        var kind = package switch
        {
            "render" => "render",
            "kubernetes" => "kubernetes",
            "scylla" when type == MembershipProvider.Type => "membership",
            _ => null,
        };
        if (kind is not null)
            return kind == _kind
                ? _hosting!
                : throw new ArgumentException($"{type} needs a provider configured with kind: {kind} (this one has kind: {_kind ?? "none"})");
        return SharedByPackage.TryGetValue(package, out var name)
            ? _shared.Get(name)
            : throw new ArgumentException($"scylla-apocryph has no custom resource of type {type}");
    }
}
