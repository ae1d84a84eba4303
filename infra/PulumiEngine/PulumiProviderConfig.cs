using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Infra.PulumiEngine;

/// <summary>
/// Under the Pulumi engine each provider name of the graph becomes one explicit provider resource of package
/// scylla-apocryph, and this is its configuration: what the built-in engine's <see cref="StackProgram"/> passes to
/// the provider's constructor. Directories are made absolute, because the plugin need not run where the program does.
/// Names that are not hosting providers (the random, tls, nebula, wallet and autoscaler ones) need no configuration.
/// </summary>
public static class PulumiProviderConfig
{
    public const string Kind = "kind";

    public static PropertyMap For(StackSpec stack, string providerName, string projectDirectory)
    {
        if (providerName == ScyllaCluster.ComposeProvider && stack.ComposeDirectory is { } compose)
            return Render(Path.Combine(projectDirectory, compose), projectDirectory);
        if (providerName == ClusterOperations.MembershipProvider && stack.Cluster.Membership is { } membership)
            return PropertyMap.Of((Kind, "membership"), ("hooks", membership.Hooks.ToString()),
                ("stateDirectory", Path.GetFullPath(Path.Combine(projectDirectory, ".state", stack.Stack))));
        if (stack.Providers.FirstOrDefault(p => p.Name == providerName) is not { } provider) return PropertyMap.Empty;
        return provider.Kind switch
        {
            ProviderKind.Render => Render(Path.Combine(projectDirectory, provider.Settings["directory"]), projectDirectory),
            ProviderKind.Kubernetes => provider.Setting("kubeconfig") is { } kubeconfig
                ? PropertyMap.Of((Kind, "kubernetes"), ("context", provider.Settings["context"]), ("kubeconfig", Path.GetFullPath(Path.Combine(projectDirectory, kubeconfig))))
                : PropertyMap.Of((Kind, "kubernetes"), ("context", provider.Settings["context"])),
            _ => throw new NotSupportedException($"providers of kind {provider.Kind.ToString().ToLowerInvariant()} cannot be served to the Pulumi engine yet"),
        };
    }

    // The project directory goes along, so the plugin confines the files to it as the built-in engine does.
    private static PropertyMap Render(string directory, string projectDirectory) =>
        PropertyMap.Of((Kind, "render"), ("directory", Path.GetFullPath(directory)),
            ("projectDirectory", Path.GetFullPath(projectDirectory)));
}
