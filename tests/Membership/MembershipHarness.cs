using Microsoft.Extensions.Time.Testing;
using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>A simulated cluster, its autoscaler hooks (served over HTTP by the real handler) and reconcilers on a fake clock.</summary>
public sealed class MembershipHarness
{
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    public MembershipHarness(TimeSpan? operationDuration = null, Func<FakeTimeProvider, ScyllaSimulator>? cluster = null)
    {
        Clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Cluster = cluster?.Invoke(Clock) ?? new ScyllaSimulator(Clock) { OperationDuration = operationDuration ?? TimeSpan.FromSeconds(30) };
        Autoscaler = new FakeAutoscaler(Cluster);
        Hooks = new AutoscalerHooksClient(new HttpClient(new AutoscalerHooksHandler(Autoscaler)), new Uri("http://agent.invalid/"));
        Lease = new InMemoryReconcilerLease(Clock);
    }

    public FakeTimeProvider Clock { get; }

    public ScyllaSimulator Cluster { get; }

    public FakeAutoscaler Autoscaler { get; }

    public IAutoscalerHooks Hooks { get; }

    public IReconcilerLease Lease { get; set; }

    public IIntentJournal Journal { get; set; } = new InMemoryIntentJournal();

    // string.GetHashCode is randomised per process: derive the address from the characters so runs are repeatable.
    public static SlotSpec Slot(string dc, int ordinal, bool zeroToken = false) =>
        new($"{dc}-{ordinal}", dc, ordinal, $"10.{dc.Sum(c => c) % 200}.0.{ordinal + 1}", zeroToken);

    public static MembershipSpec Spec(IEnumerable<SlotSpec> slots, params (string Dc, int Rf)[] rf) =>
        MembershipSpec.Create(slots.ToList(), rf.ToDictionary(r => r.Dc, r => r.Rf));

    public void SetRf(params (string Dc, int Rf)[] rf)
    {
        foreach (var (dc, n) in rf) Cluster.ReplicationFactors[dc] = n;
    }

    public MembershipReconciler Reconciler(MembershipSpec spec, string holder = "r1", ScyllaRestOptions? rest = null,
        Func<ReconcilerOptions, ReconcilerOptions>? options = null, TimeSpan? httpTimeout = null)
    {
        // HttpClient's own Timeout runs on a real timer: off, unless a test asks for it (the client's timeouts use the clock).
        var http = new HttpClient(Cluster) { Timeout = httpTimeout ?? Timeout.InfiniteTimeSpan };
        var reconcilerOptions = new ReconcilerOptions(holder) { PollInterval = Poll };
        return new(spec, new ClusterObserver(http, new DirectEndpointResolver(), Clock,
                rest ?? new ScyllaRestOptions { GetRetries = 0, RequestTimeout = TimeSpan.FromSeconds(5) }),
            Hooks, Lease, Journal, Clock, options?.Invoke(reconcilerOptions) ?? reconcilerOptions);
    }

    /// <summary>
    /// Awaits <paramref name="task"/> while simulated time passes in <paramref name="step"/>s, as it does for a real wait.
    /// The clock moves only when everything that can run without time passing has run (see <see cref="SimulatedTime"/>),
    /// so the same test takes the same steps on every machine. Call it inside <see cref="SimulatedTime.Run"/>.
    /// </summary>
    public async Task<T> WhileTimePasses<T>(Task<T> task, TimeSpan? step = null, int maxSteps = 100_000)
    {
        for (var i = 0; i < maxSteps; i++)
        {
            await SimulatedTime.Idle();
            if (task.IsCompleted) break;
            Clock.Advance(step ?? TimeSpan.FromSeconds(1));
        }
        return await task;
    }

    public async Task WhileTimePasses(Task task, TimeSpan? step = null, int maxSteps = 100_000) =>
        await WhileTimePasses(Completion(task), step, maxSteps);

    private static async Task<bool> Completion(Task task)
    {
        await task;
        return true;
    }

    /// <summary>Moves the clock in <paramref name="step"/>s, each once the work in hand has run, until <paramref name="condition"/> holds.</summary>
    public async Task Until(Func<bool> condition, TimeSpan? step = null, int maxSteps = 100_000)
    {
        for (var i = 0; i < maxSteps; i++)
        {
            await SimulatedTime.Idle();
            if (condition()) return;
            Clock.Advance(step ?? TimeSpan.FromSeconds(1));
        }
        Assert.True(condition(), $"still false after {maxSteps} steps of simulated time");
    }

    /// <summary>Rounds every poll interval until converged, refused, or <paramref name="maxRounds"/>.</summary>
    public async Task<List<ReconcileRound>> Converge(MembershipReconciler reconciler, int maxRounds = 200)
    {
        var rounds = new List<ReconcileRound>();
        for (var i = 0; i < maxRounds; i++)
        {
            var round = await reconciler.ReconcileOnceAsync(CancellationToken.None);
            rounds.Add(round);
            if (round.Decision?.Converged == true || round.Decision?.Refusal is not null) return rounds;
            Clock.Advance(Poll);
        }
        return rounds;
    }

    public IEnumerable<MembershipAction> Executed(IEnumerable<ReconcileRound> rounds) => rounds.Select(r => r.Executed).OfType<MembershipAction>();
}
