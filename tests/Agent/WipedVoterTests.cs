using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ScyllaApocryph.Agent;
using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>
/// A voter whose volume was wiped has forgotten its copy of the intent. It must not count as a copy ("no intent") in any
/// majority until it has re-read the intent from a majority of intact agents: otherwise two majorities could meet only
/// in the wiped agent and the next actor would miss an intent the last one recorded.
/// </summary>
public sealed class WipedVoterTests
{
    private static readonly TopologyIntent Remove = new(ActionKind.Remove, null, "10.0.0.3", "host-3", DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_wiped_voter_promises_nothing_and_counts_as_no_copy_until_it_has_read_the_intent_from_a_majority()
    {
        var dir = Directory.CreateTempSubdirectory("wiped-voter").FullName;
        try
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var wiped = new PromiseStore(dir, clock, TimeSpan.Zero, intactWhenEmpty: false); // not a new cluster, and nothing on the volume
            Assert.False(wiped.Recovered);
            var refused = wiped.Vote(new VoteRequest(3, "a", 10_000));
            Assert.False(refused.Granted);
            Assert.Contains("lost its state", refused.Why);

            // A write of the actor meanwhile is kept (it is the newest), but is no recovery.
            Assert.True(wiped.Replicate(new IntentRecord(2, 1, null)).Accepted);
            Assert.False(wiped.Recovered);

            Assert.False(wiped.Recover([new IntentRecord(1, 4, Remove)], slots: 3)); // one of three: not a majority
            Assert.True(wiped.Recover([new IntentRecord(1, 4, Remove), new IntentRecord(0, 0, null)], slots: 3));
            Assert.Equal(new IntentRecord(2, 1, null), wiped.Intent); // its own copy was newer than the others'
            Assert.True(wiped.Vote(new VoteRequest(3, "a", 10_000)).Granted);

            // Recovered is kept on the volume: a plain restart is intact.
            Assert.True(new PromiseStore(dir, clock, TimeSpan.Zero, intactWhenEmpty: false).Recovered);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_agents_of_a_new_cluster_start_intact_and_stay_so_across_restarts()
    {
        var dir = Directory.CreateTempSubdirectory("new-voter").FullName;
        try
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            Assert.True(new PromiseStore(dir, clock, TimeSpan.Zero, intactWhenEmpty: true).Recovered);
            Assert.True(new PromiseStore(dir, clock, TimeSpan.Zero, intactWhenEmpty: false).Recovered); // once deployed
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static AgentConfig Config(string root, string slot, string[] ips, int port) => new()
    {
        Cluster = "c", Slot = slot, FounderSlot = "a", NewCluster = false,
        Slots = ips.Select((ip, i) => new AgentSlot(((char)('a' + i)).ToString(), "dc1", i, ip, $"http://{ip}:{port}/")).ToList(),
        DataDirectory = Path.Combine(root, slot, "data"), ScyllaConfDirectory = Path.Combine(root, slot, "conf"),
        BaseScyllaYaml = Path.Combine(root, "scylla.yaml"), Entrypoint = ["/bin/true"],
        Listen = $"{ips[slot[0] - 'a']}:{port}", Security = "none", ScyllaApiPort = SimulatedClusterServer.FreePort(),
        PollIntervalMs = 100, LeaseTtlMs = 600_000, // nobody promises a lease during the test: no actor changes the intent
        PeerTimeoutMs = 2000,
    };

    private static void WriteIntent(AgentConfig config, IntentRecord record)
    {
        Directory.CreateDirectory(config.DataDirectory);
        File.WriteAllText(Path.Combine(config.DataDirectory, "agent-intent.json"), JsonSerializer.Serialize(record, AgentConfig.Json));
    }

    [Fact]
    public async Task An_intent_a_dead_actor_left_on_one_intact_agent_and_one_since_wiped_is_not_read_as_none_but_waited_for()
    {
        var root = Directory.CreateTempSubdirectory("wiped-majority").FullName;
        var prefix = $"127.{40 + Environment.ProcessId % 200}.253";
        string[] ips = [$"{prefix}.1", $"{prefix}.2", $"{prefix}.3"];
        var port = SimulatedClusterServer.FreePort();
        var (a, b, c) = (Config(root, "a", ips, port), Config(root, "b", ips, port), Config(root, "c", ips, port));
        // The actor (a) recorded the removenode at a and b (a majority) and died; b's volume was then wiped; c never got it.
        var recorded = new IntentRecord(7, 1, Remove);
        WriteIntent(a, recorded);
        WriteIntent(c, new IntentRecord(0, 0, null));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var agents = new Dictionary<string, NodeAgent>();
        var runs = new List<Task<int>>();
        void Start(AgentConfig config)
        {
            var agent = new NodeAgent(config);
            agents[config.Slot] = agent;
            runs.Add(Task.Run(() => agent.RunAsync(stop.Token)));
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        async Task<(HttpStatusCode, IntentRecord?)> IntentAt(AgentConfig config)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, config.Self.AgentUrl + "v1/intent");
            request.Headers.Add(PeerIdentity.SlotHeader, "c");
            try
            {
                using var response = await http.SendAsync(request, stop.Token);
                return (response.StatusCode, response.IsSuccessStatusCode
                    ? JsonSerializer.Deserialize<IntentRecord>(await response.Content.ReadAsStringAsync(stop.Token), AgentConfig.Json) : null);
            }
            catch (HttpRequestException)
            {
                return (0, null);
            }
        }
        async Task Until(Func<Task<bool>> condition, string what)
        {
            for (var i = 0; i < 200; i++)
            {
                if (await condition()) return;
                await Task.Delay(100, stop.Token);
            }
            Assert.Fail($"not within 20 s: {what}");
        }
        try
        {
            Start(b);
            Start(c);
            await Until(async () => (await IntentAt(c)).Item1 == HttpStatusCode.OK && (await IntentAt(b)).Item1 != 0, "b and c answering");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await IntentAt(b)).Item1); // b lost its copy: it says so, it does not say "none"
            var journal = new MajorityIntentJournal(() => c, new PeerClient(c), agents["c"].Promises, agents["c"].Lease!);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => journal.LoadAsync(stop.Token));
            Assert.Contains("only 1 of 3", error.Message); // not a majority of copies: the next actor waits, it does not act on "none"

            Start(a); // the dead actor's node comes back with its volume
            await Until(async () => (await IntentAt(b)) is (HttpStatusCode.OK, { } r) && r == recorded, "b recovered the intent from a and c");
            Assert.Equal(Remove, await journal.LoadAsync(stop.Token));
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var run in runs) Assert.Equal(0, await run);
            Directory.Delete(root, recursive: true);
        }
    }
}
