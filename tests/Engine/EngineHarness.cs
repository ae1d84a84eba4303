using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Engine;

/// <summary>A stack in a temporary directory with one in-memory provider named "mem".</summary>
public sealed class EngineHarness : IDisposable
{
    public const string Passphrase = "correct horse battery staple";

    public EngineHarness()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("engine-").FullName;
        Providers = new ProviderRegistry().Add("mem", Provider);
    }

    public string Directory { get; }

    public InMemoryProvider Provider { get; } = new();

    public ProviderRegistry Providers { get; }

    public int Parallelism { get; set; } = 8;

    public static ResourceGraph NewGraph() => new("test", "proj");

    public StateStore OpenStore(string? directory = null) =>
        StateStore.Open(directory ?? Directory, PassphraseCipher.Open(directory ?? Directory, Passphrase, iterations: 1000));

    public async Task<DeploymentResult> UpAsync(ResourceGraph graph, IDeploymentObserver? observer = null)
    {
        using var store = OpenStore();
        return await new DeploymentEngine(Providers, observer, Parallelism).UpAsync(graph, store);
    }

    public async Task<DeploymentResult> PreviewAsync(ResourceGraph graph)
    {
        using var store = OpenStore();
        return await new DeploymentEngine(Providers, null, Parallelism).PreviewAsync(graph, store.State);
    }

    public async Task<DeploymentResult> DestroyAsync()
    {
        using var store = OpenStore();
        return await new DeploymentEngine(Providers, null, Parallelism).DestroyAsync(store.State, store);
    }

    public async Task<DeploymentResult> RefreshAsync()
    {
        using var store = OpenStore();
        return await new DeploymentEngine(Providers, null, Parallelism).RefreshAsync(store);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
