using ScyllaApocryph.Components;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Infra.Cli;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Providers.Kubernetes;
using ScyllaApocryph.Providers;
using ScyllaApocryph.Providers.Render;

namespace ScyllaApocryph.Infra;

/// <summary>
/// The program: turns a validated stack configuration into the desired resource graph and the stack's provider
/// instances. This is the one place that knows which components make up a deployment.
/// </summary>
public static class StackProgram
{
    /// <param name="deleteData">destroy --delete-data: Kubernetes providers delete the stack's volume claims too.</param>
    public static (ResourceGraph Graph, ProviderRegistry Providers) Build(StackSpec stack, string projectDirectory, bool deleteData = false)
    {
        var graph = new ResourceGraph(stack.Stack, stack.Project);
        var providers = BuiltInProviders.Registry();
        if (stack.Cluster.Membership is { } membership)
            providers.Add(ClusterOperations.MembershipProvider, BuiltInProviders.Membership(membership, Path.Combine(projectDirectory, ".state", stack.Stack)));
        if (stack.ComposeDirectory is { } compose)
            providers.Add(ScyllaCluster.ComposeProvider, new RenderProvider(Path.Combine(projectDirectory, compose), projectDirectory));
        var wallets = new Providers.Apocryph.ChainWalletPool();
        var restarts = new Providers.Apocryph.PodRestartGate();
        foreach (var provider in stack.Providers)
        {
            if (provider.Kind == ProviderKind.Render)
                providers.Add(provider.Name, new RenderProvider(Path.Combine(projectDirectory, provider.Settings["directory"]), projectDirectory));
            else if (provider.Kind == ProviderKind.Kubernetes)
            {
                var kubernetes = KubernetesProvider.ForContext(provider.Settings["context"], provider.Setting("kubeconfig"),
                    new AwaitOptions { Progress = line => Console.Error.WriteLine($"  [{provider.Name}] {line}") });
                kubernetes.DeleteData = deleteData;
                providers.Add(provider.Name, kubernetes);
            }
            else if (provider.Kind == ProviderKind.Apocryph)
                providers.Add(provider.Name, BuiltInProviders.Apocryph(provider, wallets, restarts));
        }
        StartupTrace.Mark("providers built");
        Declare(graph, stack);
        ExpectApocryphSpending(graph, stack, wallets);
        StartupTrace.Mark("graph declared");
        return (graph, providers);
    }

    /// <summary>What every Apocryph pod of the stack may pay, so one approve per wallet can cover them all.</summary>
    private static void ExpectApocryphSpending(ResourceGraph graph, StackSpec stack, Providers.Apocryph.ChainWalletPool wallets)
    {
        foreach (var pod in graph.Resources.Where(r => r.Type == ResourceTypes.ApocryphPod))
        {
            var provider = stack.Provider(pod.Provider!);
            if (System.Numerics.BigInteger.TryParse(provider.Setting("funds"), out var funds))
                wallets.ExpectSpend(new Uri(provider.Settings["rpcUrl"]).ToString(), provider.Settings["walletKeyEnv"], funds);
        }
    }

    /// <summary>The desired graph alone: what the program registers with the Pulumi engine, which brings its own providers.</summary>
    public static ResourceGraph Declare(StackSpec stack)
    {
        var graph = new ResourceGraph(stack.Stack, stack.Project);
        Declare(graph, stack);
        return graph;
    }

    private static void Declare(ResourceGraph graph, StackSpec stack)
    {
        try
        {
            ScyllaCluster.Declare(graph, stack);
        }
        catch (NotSupportedException e)
        {
            throw new Config.ConfigException([$"{stack.Project}:providers: {e.Message}"]);
        }
    }
}
