using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using ScyllaApocryph.Agent;
using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Tls;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>The agent-to-agent API in tls mode (mutual TLS with the cluster CA), and the voter's rules of the election.</summary>
public sealed class AgentPeerApiTests
{
    private static TlsKeyPair NodeCert(TlsKeyPair ca, string name, string ip) =>
        TlsIssuer.Issue(ca, new TlsCertificateRequest(name, TlsCertificateUsage.Node, [], [ip], TimeSpan.FromDays(30)), DateTimeOffset.UtcNow);

    private static AgentConfig Config(string dir, string slot, string aIp, string bIp, int port, TlsKeyPair ca, TlsKeyPair cert)
    {
        File.WriteAllText(Path.Combine(dir, $"{slot}.ca.crt"), ca.CertificatePem);
        File.WriteAllText(Path.Combine(dir, $"{slot}.crt"), cert.CertificatePem);
        File.WriteAllText(Path.Combine(dir, $"{slot}.key"), cert.PrivateKeyPem);
        return new AgentConfig
        {
            Cluster = "c", Slot = slot, FounderSlot = "a", DataDirectory = Path.Combine(dir, slot + "-data"),
            Slots = [new AgentSlot("a", "dc1", 0, aIp, $"https://{aIp}:{port}/"), new AgentSlot("b", "dc1", 1, bIp, $"https://{bIp}:{port}/")],
            Entrypoint = ["/bin/true"], BaseScyllaYaml = Path.Combine(dir, "scylla.yaml"), ScyllaConfDirectory = Path.Combine(dir, slot + "-conf"),
            Listen = $"{(slot == "a" ? aIp : bIp)}:{port}", Security = "tls", PeerTimeoutMs = 3000,
            Tls = new AgentTls(Path.Combine(dir, $"{slot}.ca.crt"), Path.Combine(dir, $"{slot}.crt"), Path.Combine(dir, $"{slot}.key")),
        };
    }

    [Fact]
    public async Task In_tls_mode_the_agent_answers_peers_with_a_certificate_of_the_cluster_CA_and_no_one_else()
    {
        var dir = Directory.CreateTempSubdirectory("agent-tls").FullName;
        var (ip, otherIp) = ($"127.{40 + Environment.ProcessId % 200}.250.1", $"127.{40 + Environment.ProcessId % 200}.250.2");
        var port = SimulatedClusterServer.FreePort();
        var ca = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), DateTimeOffset.UtcNow);
        var served = Config(dir, "a", ip, otherIp, port, ca, NodeCert(ca, "a", ip));
        var peer = Config(dir, "b", ip, otherIp, port, ca, NodeCert(ca, "b", otherIp));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var agent = new NodeAgent(served);
        var run = Task.Run(() => agent.RunAsync(stop.Token));
        try
        {
            // A peer with a node certificate of the cluster CA (PeerClient checks the server against that CA too).
            var peers = new PeerClient(peer);
            InstanceReport? report = null;
            for (var i = 0; i < 100 && report is null; i++)
            {
                report = await peers.GetAsync<InstanceReport>(peer.Slots[0], "v1/instance", stop.Token);
                if (report is null) await Task.Delay(100, stop.Token);
            }
            if (report is null)
            {
                var e = await Record.ExceptionAsync(() => peers.Http.GetAsync(peers.UrlOf(peer.Slots[0], "v1/instance"), stop.Token));
                Assert.Fail($"no answer: {e}");
            }
            Assert.Equal(("c", "a", InstancePhase.AwaitingBoot), (report.Cluster, report.Slot, report.Phase));

            // No client certificate, or one from another CA: the handshake fails; nothing is answered.
            using var anonymous = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            });
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.GetAsync($"https://{ip}:{port}/v1/instance", stop.Token));
            var other = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), DateTimeOffset.UtcNow);
            var intruder = NodeCert(other, "b", otherIp);
            using var intruderCert = X509Certificate2.CreateFromPem(intruder.CertificatePem, intruder.PrivateKeyPem);
            using var wrongCa = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { ClientCertificates = [intruderCert], RemoteCertificateValidationCallback = (_, _, _, _) => true },
            });
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => wrongCa.GetAsync($"https://{ip}:{port}/v1/instance", stop.Token));
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run); // stopped before ScyllaDB started
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_renewed_agent_certificate_is_served_to_new_connections_without_restarting_the_agent()
    {
        var dir = Directory.CreateTempSubdirectory("agent-tls-renew").FullName;
        var (ip, otherIp) = ($"127.{40 + Environment.ProcessId % 200}.251.1", $"127.{40 + Environment.ProcessId % 200}.251.2");
        var port = SimulatedClusterServer.FreePort();
        var ca = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), DateTimeOffset.UtcNow);
        var served = Config(dir, "a", ip, otherIp, port, ca, NodeCert(ca, "a", ip)) with { WatchIntervalMs = 100 };
        var peerCert = NodeCert(ca, "b", otherIp);
        Config(dir, "b", ip, otherIp, port, ca, peerCert);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = Task.Run(() => new NodeAgent(served).RunAsync(stop.Token));
        using var mine = X509Certificate2.CreateFromPem(peerCert.CertificatePem, peerCert.PrivateKeyPem);
        using var client = X509CertificateLoader.LoadPkcs12(mine.Export(X509ContentType.Pkcs12), null);
        // A fresh connection each time (a new handshake), telling which certificate the agent presented.
        async Task<string?> Presented()
        {
            string? seen = null;
            using var http = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { ClientCertificates = [client], RemoteCertificateValidationCallback = (_, c, _, _) => { seen = c?.Subject + " " + c?.GetSerialNumberString(); return true; } },
            });
            try
            {
                using var response = await http.GetAsync($"https://{ip}:{port}/livez", stop.Token);
                return response.IsSuccessStatusCode ? seen : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }
        try
        {
            string? before = null;
            for (var i = 0; i < 100 && before is null; i++) if ((before = await Presented()) is null) await Task.Delay(100, stop.Token);
            Assert.NotNull(before);

            var renewed = NodeCert(ca, "a", ip); // a new serial number, as a renewal issues
            File.WriteAllText(served.Tls!.CertFile + ".new", renewed.CertificatePem);
            File.WriteAllText(served.Tls.KeyFile + ".new", renewed.PrivateKeyPem);
            File.Move(served.Tls.KeyFile + ".new", served.Tls.KeyFile, overwrite: true);
            File.Move(served.Tls.CertFile + ".new", served.Tls.CertFile, overwrite: true);
            using var expected = X509Certificate2.CreateFromPem(renewed.CertificatePem);
            string? after = null;
            for (var i = 0; i < 100 && after != expected.Subject + " " + expected.GetSerialNumberString(); i++)
            {
                await Task.Delay(100, stop.Token);
                after = await Presented();
            }
            Assert.Equal(expected.Subject + " " + expected.GetSerialNumberString(), after);
            Assert.NotEqual(before, after);
            Assert.False(run.IsCompleted); // the same agent process, never restarted
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_voter_promises_one_candidate_at_a_time_never_a_lower_term_and_fences_intents_by_its_promise()
    {
        var dir = Directory.CreateTempSubdirectory("agent-vote").FullName;
        try
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var ttl = TimeSpan.FromSeconds(15);
            var voter = new PromiseStore(dir, clock, quietAfterStart: ttl);
            Assert.False(voter.Vote(new VoteRequest(1, "a", 15000)).Granted); // just started: it may have forgotten a promise
            clock.Advance(ttl);

            Assert.True(voter.Vote(new VoteRequest(1, "a", 15000)).Granted);
            var refused = voter.Vote(new VoteRequest(2, "b", 15000));
            Assert.False(refused.Granted); // a's promise has not lapsed
            Assert.Equal(("a", 1L), (refused.Holder, refused.Term));
            clock.Advance(TimeSpan.FromSeconds(10));
            Assert.True(voter.Vote(new VoteRequest(1, "a", 15000)).Granted); // a renews
            clock.Advance(TimeSpan.FromSeconds(16));
            Assert.False(voter.Vote(new VoteRequest(1, "b", 15000)).Granted); // lapsed, but the same term goes to no one else
            Assert.True(voter.Vote(new VoteRequest(2, "b", 15000)).Granted);
            Assert.False(voter.Vote(new VoteRequest(1, "a", 15000)).Granted); // never back to a lower term

            var intent = new TopologyIntent(ActionKind.Remove, null, "10.0.0.3", "h3", clock.GetUtcNow());
            Assert.False(voter.Replicate(new IntentRecord(1, 5, intent)).Accepted); // the deposed actor cannot record
            Assert.True(voter.Replicate(new IntentRecord(2, 1, intent)).Accepted);
            Assert.True(voter.Replicate(new IntentRecord(2, 0, null)).Accepted); // accepted, but older: ignored
            Assert.Equal(intent, voter.Intent.Intent);

            // Kept on the volume: a restarted voter keeps its term and its copy of the intent, and waits one lease time.
            var restarted = new PromiseStore(dir, clock, quietAfterStart: ttl);
            Assert.Equal(2, restarted.PromisedTerm);
            Assert.Equal(intent, restarted.Intent.Intent);
            Assert.False(restarted.Vote(new VoteRequest(3, "c", 15000)).Granted);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
