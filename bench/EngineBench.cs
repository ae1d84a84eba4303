using System.Diagnostics;
using System.Globalization;
using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Bench;

/// <summary>
/// Plans and applies N resources through a provider that does nothing, so the figures are the engine's own:
/// wall time of the first up (all creates) and of a second up (all unchanged), state bytes written, peak memory.
/// Each N runs in a fresh process so its peak memory is its own.
/// </summary>
public sealed class EngineBench : IBenchmark
{
    public string Name => "engine";

    public string Description => "plan + apply N resources with a do-nothing provider (N = 1,000 and 10,000)";

    public async Task RunAsync(string[] args)
    {
        var nIndex = Array.IndexOf(args, "--n");
        if (nIndex >= 0)
        {
            await RunOne(int.Parse(args[nIndex + 1], CultureInfo.InvariantCulture));
            return;
        }
        Console.WriteLine($"{"N",7} {"preview",9} {"up",9} {"2nd up",9} {"state bytes written",20} {"bytes/resource",15} {"peak memory",12}");
        foreach (var n in new[] { 1_000, 10_000 })
        {
            // Started as `dotnet bench.dll` the child needs the dll; started through the app host it must not get it.
            var host = Environment.ProcessPath!;
            var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, Environment = { ["BENCH_CHILD"] = "1" } };
            if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(EngineBench).Assembly.Location);
            foreach (var a in new[] { "engine", "--n", n.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
            using var child = Process.Start(start)!;
            Console.Write(await child.StandardOutput.ReadToEndAsync());
            await child.WaitForExitAsync();
        }
    }

    private static async Task RunOne(int n)
    {
        var dir = Directory.CreateTempSubdirectory("engine-bench-").FullName;
        try
        {
            var graph = new ResourceGraph("bench", "bench");
            ResourceDeclaration? head = null;
            for (var i = 0; i < n; i++)
            {
                // Groups of ten: the first of each group is referenced by the other nine.
                var inputs = PropertyMap.Of(("index", i), ("label", $"resource number {i}"));
                if (i % 10 != 0) inputs = inputs.With("head", head!.Output("id"));
                var r = graph.Resource("bench:index:Noop", $"r{i}", "noop", inputs);
                if (i % 10 == 0) head = r;
            }
            var providers = new ProviderRegistry().Add("noop", new NoopProvider());
            var cipher = PassphraseCipher.Open(dir, "bench", iterations: 1000);

            var clock = Stopwatch.StartNew();
            using (var store = StateStore.Open(dir, cipher))
            {
                await new DeploymentEngine(providers).PreviewAsync(graph, store.State);
            }
            var preview = clock.Elapsed;

            clock.Restart();
            long written;
            using (var store = StateStore.Open(dir, cipher))
            {
                var result = await new DeploymentEngine(providers).UpAsync(graph, store);
                if (!result.Succeeded) throw new InvalidOperationException("bench up failed");
                written = store.BytesWritten;
            }
            var up = clock.Elapsed;

            clock.Restart();
            using (var store = StateStore.Open(dir, cipher))
            {
                var again = await new DeploymentEngine(providers).UpAsync(graph, store);
                if (again.HasChanges) throw new InvalidOperationException("second up should change nothing");
            }
            var second = clock.Elapsed;

            var peak = Process.GetCurrentProcess().PeakWorkingSet64;
            Console.WriteLine($"{n,7} {preview.TotalSeconds,8:0.00}s {up.TotalSeconds,8:0.00}s {second.TotalSeconds,8:0.00}s {written,20:N0} {written / n,15:N0} {peak / (1 << 20),9:N0} MiB");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>Creates nothing anywhere: every call returns at once.</summary>
    private sealed class NoopProvider : IResourceProvider
    {
        public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken) => Task.FromResult(CheckResult.Ok(request.News));

        public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(DiffResult.ByInputs(request.OldInputs, request.NewInputs));

        public Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new CreateResult(request.Urn.Name, PropertyMap.Of(("id", request.Urn.Name))));

        public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken) =>
            Task.FromResult<ReadResult?>(new ReadResult(request.Id, request.Outputs));

        public Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new UpdateResult(request.OldOutputs));

        public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
