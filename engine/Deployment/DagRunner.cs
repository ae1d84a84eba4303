namespace ScyllaApocryph.Engine.Deployment;

public enum NodeOutcome
{
    Succeeded,
    Failed,
    Skipped,
}

/// <summary>
/// Runs the nodes of a dependency graph with at most <c>parallelism</c> at a time. A node starts when all its
/// prerequisites succeeded; a failure skips everything downstream of it and nothing else. Each node starts on the
/// thread pool, so a provider's synchronous work holds up no other; with <c>inline</c>, on the calling thread instead.
/// </summary>
internal static class DagRunner
{
    public static async Task<Dictionary<T, NodeOutcome>> RunAsync<T>(
        IReadOnlyList<T> nodes,
        Func<T, IEnumerable<T>> prerequisites,
        Func<T, Task<bool>> run,
        Action<T> skipped,
        int parallelism,
        bool inline = false)
        where T : class
    {
        IEqualityComparer<T> comparer = ReferenceEqualityComparer.Instance;
        var waitingOn = new Dictionary<T, int>(comparer);
        var dependents = new Dictionary<T, List<T>>(comparer);
        var inGraph = new HashSet<T>(nodes, comparer);
        foreach (var node in nodes)
        {
            var count = 0;
            foreach (var p in prerequisites(node).Where(inGraph.Contains).Distinct(comparer))
            {
                count++;
                (dependents.TryGetValue(p, out var list) ? list : dependents[p] = []).Add(node);
            }
            waitingOn[node] = count;
        }

        var outcomes = new Dictionary<T, NodeOutcome>(comparer);
        var ready = new Queue<T>(nodes.Where(n => waitingOn[n] == 0));
        var running = new Dictionary<Task<bool>, T>();

        void Skip(T node)
        {
            if (outcomes.ContainsKey(node)) return;
            outcomes[node] = NodeOutcome.Skipped;
            skipped(node);
            foreach (var d in dependents.GetValueOrDefault(node) ?? []) Skip(d);
        }

        while (ready.Count > 0 || running.Count > 0)
        {
            while (ready.Count > 0 && running.Count < Math.Max(1, parallelism))
            {
                var node = ready.Dequeue();
                if (outcomes.ContainsKey(node)) continue;
                running.Add(inline ? Started(run, node) : Task.Run(() => run(node)), node);
            }
            var finished = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            var done = running[finished];
            running.Remove(finished);
            var ok = finished.IsCompletedSuccessfully && finished.Result;
            outcomes[done] = ok ? NodeOutcome.Succeeded : NodeOutcome.Failed;
            foreach (var d in dependents.GetValueOrDefault(done) ?? [])
            {
                if (!ok) Skip(d);
                else if (--waitingOn[d] == 0) ready.Enqueue(d);
            }
        }
        return outcomes;
    }

    /// <summary>Starts <paramref name="node"/> here; a synchronous throw becomes a failed task, as it does under Task.Run.</summary>
    private static Task<bool> Started<T>(Func<T, Task<bool>> run, T node)
    {
        try
        {
            return run(node);
        }
        catch (Exception e)
        {
            return Task.FromException<bool>(e);
        }
    }
}
