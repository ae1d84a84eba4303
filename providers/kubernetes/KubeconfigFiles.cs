using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace ScyllaApocryph.Providers.Kubernetes;

/// <summary>
/// Which kubeconfig files a provider reads, as kubectl chooses them (client-go's ClientConfigLoadingRules,
/// tools/clientcmd/loader.go): the provider's <c>kubeconfig</c> setting if given, else every file listed in
/// <c>KUBECONFIG</c> (separated by ':'; empty entries and missing files skipped; merged, the first file to define a
/// name wins), else <c>~/.kube/config</c>.
/// </summary>
public static class KubeconfigFiles
{
    public static IReadOnlyList<string> Paths(string? setting, Func<string, string?> getenv)
    {
        if (!string.IsNullOrEmpty(setting)) return [setting];
        if (getenv("KUBECONFIG") is { Length: > 0 } list)
            return [.. list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];
        var home = getenv("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return [Path.Combine(home, ".kube", "config")];
    }

    /// <summary>The merged configuration of the files that exist; null if none does. The first file to name a context, cluster or user wins.</summary>
    public static K8SConfiguration? Load(IReadOnlyList<string> paths)
    {
        K8SConfiguration? merged = null;
        foreach (var path in paths.Where(File.Exists))
        {
            var next = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(path), useRelativePaths: true);
            if (merged is null)
            {
                merged = next;
                continue;
            }
            merged.CurrentContext ??= next.CurrentContext;
            merged.Contexts = Merge(merged.Contexts, next.Contexts, c => c.Name);
            merged.Clusters = Merge(merged.Clusters, next.Clusters, c => c.Name);
            merged.Users = Merge(merged.Users, next.Users, u => u.Name);
        }
        return merged;
    }

    private static List<T> Merge<T>(IEnumerable<T>? first, IEnumerable<T>? later, Func<T, string> name)
    {
        var result = (first ?? []).ToList();
        var names = result.Select(name).ToHashSet(StringComparer.Ordinal);
        result.AddRange((later ?? []).Where(x => names.Add(name(x))));
        return result;
    }

    /// <summary>Why <paramref name="context"/> cannot be used, naming the files read and the contexts they hold; or null.</summary>
    public static string? ContextProblem(string context, string? setting, Func<string, string?> getenv)
    {
        var paths = Paths(setting, getenv);
        K8SConfiguration? config;
        try
        {
            config = Load(paths);
        }
        catch (Exception e) when (e is KubeConfigException or IOException or YamlDotNet.Core.YamlException)
        {
            return $"the kubeconfig ({string.Join(":", paths)}) could not be read: {e.Message}";
        }
        if (config is null) return $"no kubeconfig file found (looked for {string.Join(", ", paths)}); set KUBECONFIG or the provider's kubeconfig";
        var contexts = config.Contexts?.Select(c => c.Name).ToList() ?? [];
        return contexts.Contains(context) ? null
            : $"context '{context}' is not in the kubeconfig ({string.Join(":", paths)}); contexts present: {string.Join(", ", contexts.DefaultIfEmpty("none"))}";
    }

    /// <summary>The client configuration for <paramref name="context"/>, from the files kubectl would read.</summary>
    public static KubernetesClientConfiguration Configuration(string context, string? setting, Func<string, string?> getenv)
    {
        var config = Load(Paths(setting, getenv)) ?? throw new KubeConfigException($"no kubeconfig file found (looked for {string.Join(", ", Paths(setting, getenv))})");
        return KubernetesClientConfiguration.BuildConfigFromConfigObject(config, currentContext: context);
    }
}
