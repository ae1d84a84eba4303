using System.Collections.Concurrent;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// A provider whose "infrastructure" is a dictionary. It keeps the contract real providers keep: a resource's
/// identity comes from its inputs (the <c>name</c> input, else the URN's name), Create adopts what already exists,
/// Delete of what is gone succeeds. It records every call, can fail or stall on command, and tracks concurrency.
/// </summary>
public sealed class InMemoryProvider : IResourceProvider
{
    private readonly object _gate = new();
    private int _running;

    /// <summary>The live resources: id -> inputs they were created or updated with.</summary>
    public ConcurrentDictionary<string, PropertyMap> Live { get; } = new();

    public List<string> Calls { get; } = [];

    /// <summary>How many times a resource was physically created (adoptions do not count).</summary>
    public int PhysicalCreates { get; private set; }

    public HashSet<string> FailOn { get; } = [];

    public string[] ReplaceKeys { get; set; } = [];

    public TimeSpan Delay { get; set; }

    public int MaxConcurrency { get; private set; }

    /// <summary>Runs inside Create after the resource exists and before the engine hears back (a crash point).</summary>
    public Action<string>? AfterCreate { get; set; }

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(request.News.Get("invalid") is { } bad
            ? CheckResult.Fail(request.News, new CheckFailure("invalid", "is not allowed: " + PropertyFormatter.Format(bad)))
            : CheckResult.Ok(request.News));

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(DiffResult.ByInputs(request.OldInputs, request.NewInputs, ReplaceKeys));

    public async Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken)
    {
        var id = request.Inputs.GetString("name") ?? request.Urn.Name;
        await Work("create:" + id, cancellationToken);
        lock (_gate)
        {
            if (!Live.ContainsKey(id)) PhysicalCreates++;
            Live[id] = request.Inputs;
        }
        AfterCreate?.Invoke(id);
        return new CreateResult(id, Outputs(id, request.Inputs));
    }

    public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(Live.TryGetValue(request.Id, out var inputs) ? new ReadResult(request.Id, Outputs(request.Id, inputs)) : null);

    /// <summary>Looks the resource up by the identity Create would give it; <see cref="Unfindable"/> plays a provider that cannot.</summary>
    public Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken)
    {
        lock (_gate) Calls.Add("find:" + request.Urn.Name);
        if (Unfindable) return Task.FromResult(FindResult.Unknown);
        var id = request.Inputs.GetString("name") ?? request.Urn.Name;
        return Task.FromResult(Live.TryGetValue(id, out var inputs) ? FindResult.Found(id, Outputs(id, inputs)) : FindResult.Absent);
    }

    /// <summary>Answer every lookup with "cannot tell", as a provider without one does.</summary>
    public bool Unfindable { get; set; }

    public async Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken)
    {
        await Work("update:" + request.Id, cancellationToken);
        Live[request.Id] = request.NewInputs;
        return new UpdateResult(Outputs(request.Id, request.NewInputs));
    }

    public async Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken)
    {
        await Work("delete:" + request.Id, cancellationToken);
        Live.TryRemove(request.Id, out _);
    }

    private static PropertyMap Outputs(string id, PropertyMap inputs) => inputs.With("id", id).With("serial", $"{id}-serial");

    /// <summary>
    /// Plays a process killed at this instant: every later call fails before it reaches the provider, so work that
    /// would have run after the kill leaves no trace (a test freezes the state files at the same instant).
    /// </summary>
    public bool Killed { get; set; }

    private async Task Work(string call, CancellationToken cancellationToken)
    {
        if (Killed) throw new InvalidOperationException($"{call}: the process was killed before this call");
        lock (_gate)
        {
            Calls.Add(call);
            _running++;
            MaxConcurrency = Math.Max(MaxConcurrency, _running);
        }
        try
        {
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, cancellationToken);
            if (FailOn.Contains(call)) throw new InvalidOperationException($"{call} failed on purpose");
        }
        finally
        {
            lock (_gate) _running--;
        }
    }
}
