using System.Diagnostics;
using k8s.Models;
using ScyllaApocryph.Agent;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Kubernetes;
using ScyllaApocryph.Components.Mesh;
using ScyllaApocryph.Providers.Tls;
using ScyllaApocryph.Tests.Components;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>
/// Kubernetes probes with the node agent: startup and liveness ask the agent (an empty volume waiting for its boot
/// instruction has no ScyllaDB to answer), readiness asks ScyllaDB itself on loopback, where the agent keeps its REST API.
/// </summary>
public sealed class AgentProbeTests
{
    private static V1Container Scylla(StackSpec stack) =>
        KubernetesManifests.Node(NodePlan.For(Topology.Build(stack), Topology.Build(stack).Slots[0]), "db", null)
            .OfType<V1StatefulSet>().Single().Spec.Template.Spec.Containers.Single(c => c.Name == "scylla");

    [Theory]
    [InlineData(SecurityMode.Tls)]
    [InlineData(SecurityMode.Nebula)]
    [InlineData(SecurityMode.None)]
    public void With_the_agent_startup_and_liveness_ask_the_agent_and_readiness_asks_ScyllaDB_on_loopback(SecurityMode security)
    {
        var plain = ClusterFixtures.ThreeDatacenters(security: security);
        plain = plain with { Cluster = plain.Cluster with { Membership = new ReconciliationSpec(new Uri("http://agent:8080"), "operators") } };
        var withAgent = plain with { Cluster = plain.Cluster with { AgentImage = "registry.example/agent:1" } };
        var topology = Topology.Build(withAgent);
        var slot = topology.Slots[0];

        var scylla = Scylla(withAgent);
        Assert.Equal(AgentProbe.Livez(topology.Cluster, slot), scylla.StartupProbe.Exec.Command);
        Assert.Equal(AgentProbe.Livez(topology.Cluster, slot), scylla.LivenessProbe.Exec.Command);
        Assert.Contains("/livez", scylla.StartupProbe.Exec.Command[^1]);
        Assert.Equal(ReadinessCheck.Command, scylla.ReadinessProbe.Exec.Command);
        // The agent moves ScyllaDB's REST API to loopback in every mode: the readiness script and drain ask there.
        var ready = NodePlan.For(topology, slot).Files.Single(f => f.Key == ReadinessCheck.FileName).Text;
        Assert.Contains("API = \"http://127.0.0.1:10000\"", ready);
        Assert.Contains("nodetool -h 127.0.0.1 drain", scylla.Lifecycle.PreStop.Exec.Command[^1]);

        // Without the agent nothing changes: ScyllaDB's REST API for every probe (on the overlay in nebula mode with membership).
        var before = Scylla(plain);
        Assert.Equal(Operator.ApiAnswers(plain.Cluster, Topology.Build(plain).Slots[0]), before.StartupProbe.Exec.Command);
        Assert.Equal(security == SecurityMode.Nebula ? slot.OverlayIp : "127.0.0.1",
            ScyllaNodeConfig.ApiAddress(plain.Cluster, Topology.Build(plain).Slots[0]));
    }

    private static int Run(IReadOnlyList<string> command)
    {
        using var p = Process.Start(new ProcessStartInfo(command[0], command.Skip(1)) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(30_000));
        return p.ExitCode;
    }

    [Fact]
    public async Task The_tls_probe_presents_the_nodes_certificate_and_passes_while_the_agent_waits_for_its_boot_instruction()
    {
        var dir = Directory.CreateTempSubdirectory("agent-probe").FullName;
        var ip = $"127.{40 + Environment.ProcessId % 200}.252.1";
        var port = SimulatedClusterServer.FreePort();
        var ca = TlsIssuer.CreateCa("cluster", TimeSpan.FromDays(365), DateTimeOffset.UtcNow);
        // As SecurityMaterial issues it: the node certificate names 127.0.0.1 too.
        var node = TlsIssuer.Issue(ca, new TlsCertificateRequest("a", TlsCertificateUsage.Node, ["localhost"], [ip, "127.0.0.1"], TimeSpan.FromDays(30)),
            DateTimeOffset.UtcNow);
        var tls = ScyllaTlsFiles.In(Path.Combine(dir, "tls"));
        Directory.CreateDirectory(tls.Directory);
        File.WriteAllText(tls.Truststore, ca.CertificatePem);
        File.WriteAllText(tls.Certificate, node.CertificatePem);
        File.WriteAllText(tls.Key, node.PrivateKeyPem);
        var config = new AgentConfig
        {
            Cluster = "c", Slot = "a", FounderSlot = "a", DataDirectory = Path.Combine(dir, "data"),
            Slots = [new AgentSlot("a", "dc1", 0, ip, $"https://{ip}:{port}/"), new AgentSlot("b", "dc1", 1, "127.0.0.2", "https://127.0.0.2:1/")],
            Entrypoint = ["/bin/true"], BaseScyllaYaml = Path.Combine(dir, "scylla.yaml"), ScyllaConfDirectory = Path.Combine(dir, "conf"),
            Listen = $"{ip}:{port}", Security = "tls", ScyllaApiPort = SimulatedClusterServer.FreePort(),
            Tls = new AgentTls(tls.Truststore, tls.Certificate, tls.Key),
        };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = Task.Run(() => new NodeAgent(config).RunAsync(stop.Token));
        try
        {
            var probe = AgentProbe.Command($"https://{ip}:{port}/livez", tls);
            var code = 1;
            for (var i = 0; i < 60 && (code = Run(probe)) != 0; i++) await Task.Delay(250, stop.Token);
            Assert.Equal(0, code); // alive, though ScyllaDB has not started (the volume is empty: it awaits its instruction)
            Assert.NotEqual(0, Run(Operator.ApiAnswers(ClusterFixtures.ThreeDatacenters().Cluster, Topology.Build(ClusterFixtures.ThreeDatacenters()).Slots[0])
                .Select(a => a.Replace("127.0.0.1:10000", $"127.0.0.1:{config.ScyllaApiPort}", StringComparison.Ordinal)).ToList()));
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run);
            Directory.Delete(dir, recursive: true);
        }
    }
}
