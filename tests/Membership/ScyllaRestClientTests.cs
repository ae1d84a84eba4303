using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Tests.Doubles;
using static ScyllaApocryph.Tests.Membership.MembershipHarness;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>The REST client's timeouts and retries against ScyllaDB's blocking topology POSTs.</summary>
public sealed class ScyllaRestClientTests
{
    private static MembershipHarness Blocking(TimeSpan operation) =>
        new(cluster: clock => new ScyllaSimulator(clock) { TopologyPostsBlock = true, OperationDuration = operation });

    private static List<SlotSpec> Seeded(MembershipHarness h, int n)
    {
        var slots = Enumerable.Range(0, n).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        return slots;
    }

    [Fact]
    public void The_membership_provider_gives_scylla_requests_no_overall_http_timeout()
    {
        var state = Directory.CreateTempSubdirectory("membership-state-");
        var provider = BuiltInProviders.Membership(new ReconciliationSpec(new Uri("http://hooks.invalid/"), "operators"), state.FullName);
        state.Delete(true);

        Assert.Equal(Timeout.InfiniteTimeSpan, provider.Context.Http.Timeout);
        Assert.True(provider.Context.Rest.OperationTimeout >= TimeSpan.FromMinutes(30));
        Assert.True(provider.Context.Rest.RequestTimeout <= TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_blocking_decommission_longer_than_the_get_timeout_completes() => SimulatedTime.Run(async () =>
    {
        var h = Blocking(TimeSpan.FromMinutes(20));
        var slots = Seeded(h, 4);
        var client = new ScyllaRestClient(new HttpClient(h.Cluster) { Timeout = Timeout.InfiniteTimeSpan },
            new Uri($"http://{slots[3].Address}:10000/"), h.Clock);

        await h.WhileTimePasses(client.DecommissionAsync(default), TimeSpan.FromSeconds(30));

        Assert.Equal(3, h.Cluster.Members.Count);
    });

    [Fact]
    public void A_topology_post_past_its_operation_timeout_is_a_timeout_that_says_the_operation_may_still_run() => SimulatedTime.Run(async () =>
    {
        var h = Blocking(TimeSpan.FromMinutes(20));
        var slots = Seeded(h, 4);
        var client = new ScyllaRestClient(new HttpClient(h.Cluster), new Uri($"http://{slots[3].Address}:10000/"), h.Clock,
            new ScyllaRestOptions { OperationTimeout = TimeSpan.FromMinutes(5) });

        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            h.WhileTimePasses(client.DecommissionAsync(default), TimeSpan.FromSeconds(30)));

        Assert.Contains("no answer within 5m", error.Message);
        Assert.Contains("may still be running", error.Message);
        Assert.Equal("decommission", h.Cluster.Operation!.Kind);
    });

    [Fact]
    public async Task The_http_clients_own_timeout_is_reported_as_a_timeout_not_as_a_cancellation()
    {
        var h = Blocking(TimeSpan.FromMinutes(20));
        var slots = Seeded(h, 4);
        // Simulated time stands still: only the HttpClient's own (real-time) Timeout can end this request.
        var client = new ScyllaRestClient(new HttpClient(h.Cluster) { Timeout = TimeSpan.FromMilliseconds(200) },
            new Uri($"http://{slots[3].Address}:10000/"), h.Clock);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => client.DecommissionAsync(default));

        Assert.Contains("the HTTP client gave up after 0.2s", error.Message);
    }

    [Fact]
    public async Task The_callers_cancellation_stays_a_cancellation()
    {
        var h = Blocking(TimeSpan.FromMinutes(20));
        var slots = Seeded(h, 4);
        var client = new ScyllaRestClient(new HttpClient(h.Cluster), new Uri($"http://{slots[3].Address}:10000/"), h.Clock);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.DecommissionAsync(cts.Token));

        Assert.IsNotType<TimeoutException>(error);
    }

    [Fact]
    public async Task A_round_whose_topology_post_times_out_reports_it_and_keeps_the_intent_unacknowledged()
    {
        var h = Blocking(TimeSpan.FromMinutes(20));
        var slots = Seeded(h, 4);
        var reconciler = h.Reconciler(Spec(slots.Take(3), ("dc1", 3)) with { Retired = [slots[3]] }, httpTimeout: TimeSpan.FromMilliseconds(200));

        var round = await reconciler.ReconcileOnceAsync(default);

        Assert.Equal(ActionKind.Decommission, round.Decision!.NextTopologyChange!.Kind);
        Assert.Contains("gave up", round.Error);
        var intent = await h.Journal.LoadAsync(default);
        Assert.Equal((ActionKind.Decommission, false), (intent!.Kind, intent.Issued));
    }
    /// <summary>Refuses the first <paramref name="failures"/> connections, then passes requests on; counts every attempt.</summary>
    private sealed class FlakyConnection(HttpMessageHandler inner, int failures) : DelegatingHandler(inner)
    {
        public List<string> Attempts { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Attempts)
            {
                Attempts.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
                if (Attempts.Count <= failures) throw new HttpRequestException("connection refused");
            }
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public void Gets_are_retried_after_a_transport_failure() => SimulatedTime.Run(async () =>
    {
        var h = new MembershipHarness();
        var slots = Seeded(h, 3);
        var flaky = new FlakyConnection(h.Cluster, failures: 2);
        var client = new ScyllaRestClient(new HttpClient(flaky), new Uri($"http://{slots[0].Address}:10000/"), h.Clock,
            new ScyllaRestOptions { GetRetries = 2 });

        var live = await h.WhileTimePasses(client.LiveEndpointsAsync(default), TimeSpan.FromMilliseconds(100));

        Assert.Equal(3, live.Count);
        Assert.Equal(3, flaky.Attempts.Count);
    });

    [Fact]
    public void Topology_posts_are_never_retried() => SimulatedTime.Run(async () =>
    {
        var h = new MembershipHarness();
        var slots = Seeded(h, 4);
        var flaky = new FlakyConnection(h.Cluster, failures: 1);
        var client = new ScyllaRestClient(new HttpClient(flaky), new Uri($"http://{slots[3].Address}:10000/"), h.Clock,
            new ScyllaRestOptions { GetRetries = 5 });

        await Assert.ThrowsAsync<HttpRequestException>(() => h.WhileTimePasses(client.DecommissionAsync(default), TimeSpan.FromMilliseconds(100)));
        h.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(["POST /storage_service/decommission"], flaky.Attempts);
        Assert.Empty(h.Cluster.Accepted);
    });
}
