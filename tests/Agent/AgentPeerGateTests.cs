using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using ScyllaApocryph.Agent;
using ScyllaApocryph.Providers.Tls;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>
/// Who may call what on the agent API beyond the transport check: the stack's own agents (identified by their node
/// certificate in tls mode) read, and only the actor (this agent's promise of the lease, in the request's term) changes
/// the cluster. Any other holder of a cluster-CA certificate, like the operator's client certificate, gets 403.
/// </summary>
public sealed class AgentPeerGateTests
{
    private const long Term = 1_000_000; // far above any term the served agent reaches by its own failed campaigns

    private static TlsKeyPair Issue(TlsKeyPair ca, string name, TlsCertificateUsage usage, params string[] ips) =>
        TlsIssuer.Issue(ca, new TlsCertificateRequest(name, usage, [], ips, TimeSpan.FromDays(30)), DateTimeOffset.UtcNow);

    private static (string Cert, string Key) Write(string dir, string name, TlsKeyPair pair)
    {
        var (cert, key) = (Path.Combine(dir, name + ".crt"), Path.Combine(dir, name + ".key"));
        File.WriteAllText(cert, pair.CertificatePem);
        File.WriteAllText(key, pair.PrivateKeyPem);
        return (cert, key);
    }

    private static AgentConfig Config(string dir, string slot, string aIp, string bIp, int port, string caFile, (string Cert, string Key) files) => new()
    {
        Cluster = "c", Slot = slot, FounderSlot = "a", DataDirectory = Path.Combine(dir, slot + "-data"), NewCluster = true, // intact voters
        Slots = [new AgentSlot("a", "dc1", 0, aIp, $"https://{aIp}:{port}/"), new AgentSlot("b", "dc1", 1, bIp, $"https://{bIp}:{port}/")],
        Entrypoint = ["/bin/true"], BaseScyllaYaml = Path.Combine(dir, "scylla.yaml"), ScyllaConfDirectory = Path.Combine(dir, slot + "-conf"),
        Listen = $"{(slot == "a" ? aIp : bIp)}:{port}", Security = "tls", PeerTimeoutMs = 3000,
        ScyllaApiPort = SimulatedClusterServer.FreePort(), // nothing listens there: a relayed call that gets through answers 502
        PollIntervalMs = 100, LeaseTtlMs = 400, // a short quiet period after start, so the test can be promised the lease soon
        Tls = new AgentTls(caFile, files.Cert, files.Key),
    };

    /// <summary>A client presenting <paramref name="files"/> (any certificate of the cluster CA passes the transport check).</summary>
    private static HttpClient Client((string Cert, string Key) files) => new(new SocketsHttpHandler
    {
        SslOptions =
        {
            ClientCertificates = [ClusterCa.LoadWithKey(files.Cert, files.Key)],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        },
    }) { Timeout = TimeSpan.FromSeconds(10) };

    private static async Task<HttpStatusCode> Send(HttpClient http, HttpMethod method, string url, long? term = null, string? claim = null,
        string? json = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (term is { } t) request.Headers.Add(PeerGate.TermHeader, t.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (claim is not null) request.Headers.Add(PeerIdentity.SlotHeader, claim);
        if (json is not null) request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task In_tls_mode_only_the_stacks_agents_read_and_only_the_agent_promised_the_lease_in_the_requests_term_removes_a_node()
    {
        var dir = Directory.CreateTempSubdirectory("agent-gate").FullName;
        var (aIp, bIp) = ($"127.{40 + Environment.ProcessId % 200}.251.1", $"127.{40 + Environment.ProcessId % 200}.251.2");
        var port = SimulatedClusterServer.FreePort();
        var ca = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), DateTimeOffset.UtcNow);
        var caFile = Path.Combine(dir, "ca.crt");
        File.WriteAllText(caFile, ca.CertificatePem);
        var served = Config(dir, "a", aIp, bIp, port, caFile, Write(dir, "a", Issue(ca, "a", TlsCertificateUsage.Node, aIp)));
        var peer = Config(dir, "b", aIp, bIp, port, caFile, Write(dir, "b", Issue(ca, "b", TlsCertificateUsage.Node, bIp)));
        var operatorFiles = Write(dir, "operator", Issue(ca, "c application", TlsCertificateUsage.Client)); // the stack's client certificate
        var strangerFiles = Write(dir, "stranger", Issue(ca, "c-dc1-9", TlsCertificateUsage.Node, "127.0.0.9")); // a node cert of no slot
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = Task.Run(() => new NodeAgent(served).RunAsync(stop.Token));
        var url = $"https://{aIp}:{port}/";
        try
        {
            var b = new PeerClient(peer);
            using var bHttp = Client((peer.Tls!.CertFile, peer.Tls.KeyFile));
            using var operatorHttp = Client(operatorFiles);
            using var strangerHttp = Client(strangerFiles);
            InstanceReport? report = null;
            for (var i = 0; i < 100 && report is null; i++)
            {
                report = await b.GetAsync<InstanceReport>(peer.Slots[0], "v1/instance", stop.Token);
                if (report is null) await Task.Delay(100, stop.Token);
            }
            Assert.NotNull(report); // a member reads

            // Probes and metrics: anyone past the transport check. Topology: members only, whatever they claim to be.
            Assert.Equal(HttpStatusCode.OK, await Send(operatorHttp, HttpMethod.Get, url + "livez"));
            Assert.Equal(HttpStatusCode.OK, await Send(operatorHttp, HttpMethod.Get, url + "metrics"));
            foreach (var path in new[] { "v1/instance", "v1/intent", "storage_service/host_id", "gossiper/endpoint/live/", "hooks/v1/instances" })
            {
                Assert.Equal(HttpStatusCode.Forbidden, await Send(operatorHttp, HttpMethod.Get, url + path, claim: "b"));
                Assert.Equal(HttpStatusCode.Forbidden, await Send(strangerHttp, HttpMethod.Get, url + path));
            }

            // A member may campaign for itself only.
            var forA = System.Text.Json.JsonSerializer.Serialize(new VoteRequest(Term, "a", 60_000), AgentConfig.Json);
            Assert.Equal(HttpStatusCode.Forbidden, await Send(bHttp, HttpMethod.Post, url + "v1/lease/vote", json: forA));
            Assert.Equal(HttpStatusCode.Forbidden, await Send(operatorHttp, HttpMethod.Post, url + "v1/lease/vote", json: forA));

            // Before b holds a's promise, b may not remove a node, however it asks.
            var removenode = url + "storage_service/remove_node?host_id=0b7a2d2e-0000-4000-8000-000000000003";
            Assert.Equal(HttpStatusCode.Forbidden, await Send(bHttp, HttpMethod.Post, removenode, Term));

            VoteReply? vote = null;
            for (var i = 0; i < 100 && vote is not { Granted: true }; i++)
            {
                vote = await b.SendAsync<VoteRequest, VoteReply>(HttpMethod.Post, peer.Slots[0], "v1/lease/vote", new VoteRequest(Term, "b", 60_000), stop.Token);
                if (vote is not { Granted: true }) await Task.Delay(100, stop.Token); // a's quiet period after its start
            }
            Assert.True(vote is { Granted: true }, $"a never promised b the lease: {vote}");

            // Now b is the actor as a knows it: with the term it passes (the relay finds no ScyllaDB here: 502);
            // without it, with another term, or from anyone else, it is refused.
            Assert.Equal(HttpStatusCode.BadGateway, await Send(bHttp, HttpMethod.Post, removenode, Term));
            Assert.Equal(HttpStatusCode.BadGateway, await Send(bHttp, HttpMethod.Post, url + "storage_service/decommission", Term));
            Assert.Equal(HttpStatusCode.Forbidden, await Send(bHttp, HttpMethod.Post, removenode));
            Assert.Equal(HttpStatusCode.Forbidden, await Send(bHttp, HttpMethod.Post, removenode, Term - 1));
            Assert.Equal(HttpStatusCode.Forbidden, await Send(operatorHttp, HttpMethod.Post, removenode, Term, claim: "b"));
            Assert.Equal(HttpStatusCode.Forbidden, await Send(strangerHttp, HttpMethod.Post, removenode, Term));
            Assert.Equal(HttpStatusCode.Forbidden, await Send(operatorHttp, HttpMethod.Post, url + "hooks/v1/instance-failed", Term,
                json: """{"slot":"b","instanceId":"","reason":"x"}"""));

            // The intent: only the actor writes it, in the term it holds.
            var intent = System.Text.Json.JsonSerializer.Serialize(new IntentRecord(Term, 1, null), AgentConfig.Json);
            Assert.Equal(HttpStatusCode.OK, await Send(bHttp, HttpMethod.Put, url + "v1/intent", json: intent));
            Assert.Equal(HttpStatusCode.Forbidden, await Send(operatorHttp, HttpMethod.Put, url + "v1/intent", json: intent));
            var older = System.Text.Json.JsonSerializer.Serialize(new IntentRecord(Term - 1, 9, null), AgentConfig.Json);
            Assert.Equal(HttpStatusCode.Forbidden, await Send(bHttp, HttpMethod.Put, url + "v1/intent", json: older));

            // A boot instruction goes to its own slot's agent with a term; never passed on under this agent's term.
            var bootB = """{"slot":"b","mode":"Fresh","seeds":["10.0.0.1"],"ignoreDeadHostIds":[]}""";
            var bootA = """{"slot":"a","mode":"Fresh","seeds":["10.0.0.1"],"ignoreDeadHostIds":[]}""";
            Assert.Equal(HttpStatusCode.Forbidden, await Send(bHttp, HttpMethod.Post, url + "hooks/v1/boot", Term, json: bootB));
            Assert.Equal(HttpStatusCode.Forbidden, await Send(bHttp, HttpMethod.Post, url + "hooks/v1/boot", json: bootA));
            Assert.Equal(HttpStatusCode.Forbidden, await Send(operatorHttp, HttpMethod.Post, url + "hooks/v1/boot", Term, json: bootA));
            Assert.Equal(HttpStatusCode.Conflict, await Send(bHttp, HttpMethod.Post, url + "hooks/v1/boot", Term - 1, json: bootA)); // fenced
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_caller_is_identified_by_its_node_certificate_in_tls_mode_by_its_overlay_address_in_nebula_mode_and_by_its_claim_only_without_security()
    {
        var ca = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), DateTimeOffset.UtcNow);
        using var node = X509Certificate2.CreateFromPem(Issue(ca, "b", TlsCertificateUsage.Node, "10.42.1.11").CertificatePem);
        using var client = X509Certificate2.CreateFromPem(Issue(ca, "b", TlsCertificateUsage.Client).CertificatePem);
        using var stranger = X509Certificate2.CreateFromPem(Issue(ca, "z", TlsCertificateUsage.Node, "10.42.1.99").CertificatePem);
        var config = new AgentConfig
        {
            Cluster = "c", Slot = "a", FounderSlot = "a", DataDirectory = "/tmp/x", Entrypoint = ["/bin/true"], BaseScyllaYaml = "/tmp/x.yaml",
            Slots = [new AgentSlot("a", "dc1", 0, "10.42.1.10", "http://10.42.1.10:8080/"), new AgentSlot("b", "dc1", 1, "10.42.1.11", "http://10.42.1.11:8080/")],
            Listen = "10.42.1.10:8080", Security = "tls",
        };
        var remote = IPAddress.Parse("10.42.1.11");

        Assert.Equal("b", PeerIdentity.Of(config, node, IPAddress.Loopback, claimed: "a").Slot);
        Assert.Contains("not a node certificate", PeerIdentity.Of(config, client, remote, "b").Why); // even one named like a slot
        Assert.Contains("names no slot", PeerIdentity.Of(config, stranger, remote, "b").Why);
        Assert.Null(PeerIdentity.Of(config, null, remote, "b").Slot);

        var nebula = config with { Security = "nebula" };
        Assert.Equal("b", PeerIdentity.Of(nebula, null, remote, claimed: "a").Slot);
        Assert.Equal("b", PeerIdentity.Of(nebula, null, remote.MapToIPv6(), null).Slot);
        Assert.Null(PeerIdentity.Of(nebula, node, IPAddress.Parse("10.42.255.1"), "b").Slot); // the operator's overlay address

        var none = config with { Security = "none" };
        Assert.Equal("a", PeerIdentity.Of(none, null, remote, "a").Slot);
        Assert.Null(PeerIdentity.Of(none, null, remote, null).Slot);
        Assert.Null(PeerIdentity.Of(none, null, remote, "z").Slot);
    }

    [Fact]
    public void A_voter_counts_as_the_actor_only_the_candidate_it_promised_in_that_term_until_the_promise_lapses()
    {
        var dir = Directory.CreateTempSubdirectory("agent-holds").FullName;
        try
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var voter = new PromiseStore(dir, clock, quietAfterStart: TimeSpan.Zero);
            Assert.False(voter.Holds("a", 0, out _)); // nobody was promised anything
            Assert.True(voter.Vote(new VoteRequest(4, "a", 10_000)).Granted);
            Assert.True(voter.Holds("a", 4, out _));
            Assert.False(voter.Holds("b", 4, out var other));
            Assert.Contains("promised to a", other);
            Assert.False(voter.Holds("a", 3, out _));
            Assert.False(voter.Holds("a", 5, out _));
            clock.Advance(TimeSpan.FromSeconds(10));
            Assert.False(voter.Holds("a", 4, out var lapsed));
            Assert.Contains("lapsed", lapsed);
            Assert.True(voter.Vote(new VoteRequest(4, "a", 10_000)).Granted); // renewed
            voter.Withdraw("a", 4); // a lost its campaign: its own vote is free again, and it is nobody's actor
            Assert.False(voter.Holds("a", 4, out _));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
