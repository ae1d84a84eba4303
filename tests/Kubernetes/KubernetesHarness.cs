using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Providers;
using ScyllaApocryph.Providers.Kubernetes;
using ScyllaApocryph.Tests.Doubles.Kubernetes;

namespace ScyllaApocryph.Tests.Kubernetes;

/// <summary>
/// A stack on one kubernetes provider, against <see cref="KubernetesApiDouble"/> on a fake clock. A wait sleeps by
/// moving the fake clock forward, so every test runs in virtual time: no wall-clock dependence.
/// </summary>
public sealed class KubernetesHarness : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("k8s-state-").FullName;

    public KubernetesHarness()
    {
        Api = new KubernetesApiDouble(Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public KubernetesApiDouble Api { get; }

    public ConcurrentQueue<string> Progress { get; } = new();

    public Dictionary<string, string> ProviderSettings { get; } = new() { ["context"] = "minikube", ["namespace"] = "data" };

    public SecurityMode Security { get; set; } = SecurityMode.Tls;

    public int Nodes { get; set; } = 3;

    public void Dispose() => Directory.Delete(_state, true);

    public AwaitOptions AwaitOptions => new()
    {
        Time = Time,
        Sleep = (delay, _) =>
        {
            Time.Advance(delay);
            return Task.CompletedTask;
        },
        Progress = Progress.Enqueue,
    };

    /// <summary>destroy --delete-data: the provider deletes the stack's volume claims too.</summary>
    public bool DeleteData { get; set; }

    /// <summary>The plugin's per-stack request (see <see cref="DataDeletionRequest"/>).</summary>
    public Func<Urn, bool>? DeleteDataOf { get; set; }

    public KubernetesProvider Provider() => new(() => Api.Client(), AwaitOptions) { DeleteData = DeleteData, DeleteDataOf = DeleteDataOf };

    public StackSpec Stack()
    {
        var cluster = new ClusterSpec("db", "scylladb/scylla:2025.1.4", Security, new NodeResources(2, 4L << 30, 20L << 30),
            [new DatacenterSpec("dc1", "kube", Nodes)]) { AllowFragileTopology = true };
        return new StackSpec("dev", "scylla-apocryph", cluster, [new ProviderSpec("kube", ProviderKind.Kubernetes, ProviderSettings)]);
    }

    public async Task<DeploymentResult> Run(Func<DeploymentEngine, StateStore, ResourceGraph, Task<DeploymentResult>> action)
    {
        var graph = new ResourceGraph("dev", "scylla-apocryph");
        ScyllaCluster.Declare(graph, Stack());
        var providers = BuiltInProviders.Registry().Add("kube", Provider());
        using var store = StateStore.Open(_state, PassphraseCipher.Open(_state, "p", 1000));
        return await action(new DeploymentEngine(providers), store, graph);
    }

    public Task<DeploymentResult> Up() => Run((e, s, g) => e.UpAsync(g, s));

    public Task<DeploymentResult> Preview() => Run((e, s, g) => e.PreviewAsync(g, s.State));

    public Task<DeploymentResult> Refresh() => Run((e, s, _) => e.RefreshAsync(s));

    public Task<DeploymentResult> Destroy() => Run((e, s, _) => e.DestroyAsync(s.State, s));

    /// <summary>Whether any file of the stack's state holds the text as is.</summary>
    public bool StateContains(string text) =>
        Directory.GetFiles(_state, "*", SearchOption.AllDirectories).Any(f => File.ReadAllText(f).Contains(text, StringComparison.Ordinal));

    public static string Errors(DeploymentResult result) =>
        string.Join("\n", result.Outcomes.Where(o => o.Error is not null).Select(o => o.Step.Name + ": " + o.Error));
}
