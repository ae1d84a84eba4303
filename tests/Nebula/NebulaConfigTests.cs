using System.Diagnostics;
using ScyllaApocryph.Components.Mesh;
using ScyllaApocryph.Providers.Nebula;
using ScyllaApocryph.Tests.Pki;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Tests.Nebula;

public sealed class NebulaConfigTests
{
    private static readonly NebulaMeshSpec Spec = new(
    [
        new("dc1-0", "dc1", "10.42.0.1", "198.51.100.1"),
        new("dc1-1", "dc1", "10.42.0.2", "198.51.100.2"),
        new("dc2-0", "dc2", "10.42.0.3", "203.0.113.1", UdpPort: 4243),
        new("dc2-1", "dc2", "10.42.0.4", null, BehindNat: true),
    ], "scylla-prod");

    private static YamlMappingNode Parse(string text)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static NebulaPki FakePki => new("/etc/nebula/ca.crt", "/etc/nebula/host.crt", "/etc/nebula/host.key", ["abc123"]);

    [Fact]
    public void Planner_PicksTheFirstNodeOfEachDatacenterAsLighthouse_AndRelaysForNodesBehindNat()
    {
        var configs = NebulaMeshPlanner.Plan(Spec).ToDictionary(c => c.Name);
        Assert.True(configs["dc1-0"].AmLighthouse);
        Assert.True(configs["dc2-0"].AmLighthouse);
        Assert.False(configs["dc1-1"].AmLighthouse);
        Assert.Equal(["10.42.0.1", "10.42.0.3"], configs["dc1-1"].Lighthouses);
        Assert.Empty(configs["dc1-0"].Lighthouses);
        Assert.Equal(["203.0.113.1:4243"], configs["dc1-1"].StaticHostMap["10.42.0.3"]);
        Assert.False(configs["dc1-1"].StaticHostMap.ContainsKey("10.42.0.4")); // no public address
        Assert.Equal(["10.42.0.1", "10.42.0.3"], configs["dc2-1"].Relays);
        Assert.True(configs["dc1-0"].AmRelay);
        Assert.False(configs["dc1-1"].AmRelay);
        Assert.Equal(4243, configs["dc2-0"].ListenPort);
    }

    [Fact]
    public void Planner_HonoursConfiguredLighthouses_AndRefusesUnreachableOnes()
    {
        var chosen = NebulaMeshPlanner.Plan(Spec with { Lighthouses = ["dc1-1"] });
        Assert.Equal(["dc1-1"], chosen.Where(c => c.AmLighthouse).Select(c => c.Name));
        var e = Assert.Throws<ArgumentException>(() => NebulaMeshPlanner.Plan(Spec with { Lighthouses = ["dc2-1"] }));
        Assert.Contains("dc2-1", e.Message);
        Assert.Throws<ArgumentException>(() => NebulaMeshPlanner.Plan(Spec with { Lighthouses = ["nope"] }));
        var dup = Spec with { Nodes = [.. Spec.Nodes, new("x", "dc3", "10.42.0.1", "192.0.2.1")] };
        Assert.Contains("10.42.0.1", Assert.Throws<ArgumentException>(() => NebulaMeshPlanner.Plan(dup)).Message);
    }

    [Fact]
    public void Firewall_AllowsScyllaPortsAndIcmpFromTheClusterGroupOnly_AndNeverRestWithoutAnOperatorGroup()
    {
        var fw = ScyllaFirewallPolicy.For("scylla-prod");
        Assert.All(fw.Inbound, r => Assert.Equal("scylla-prod", r.Group));
        Assert.Equal(["7000/tcp", "9042/tcp", "19042/tcp", "any/icmp"], fw.Inbound.Select(r => $"{r.Port}/{r.Proto}"));
        Assert.DoesNotContain(fw.Inbound, r => r.Port is "10000" or "any" && r.Proto != "icmp");
        Assert.Equal([new NebulaFirewallRule("any", "any", Host: "any")], fw.Outbound);

        var tls = ScyllaFirewallPolicy.For("scylla-prod", internodeTls: true, operatorGroup: "ops", clientGroups: ["app"]);
        Assert.Contains(NebulaFirewallRule.TcpFromGroup(7001, "scylla-prod"), tls.Inbound);
        Assert.Contains(NebulaFirewallRule.TcpFromGroup(9042, "app"), tls.Inbound);
        Assert.DoesNotContain(NebulaFirewallRule.TcpFromGroup(7000, "app"), tls.Inbound);
        Assert.Equal([NebulaFirewallRule.TcpFromGroup(10000, "ops")], tls.Inbound.Where(r => r.Port == "10000"));
    }

    [Fact]
    public void RenderedYaml_UsesNebulasKeys()
    {
        var config = NebulaMeshPlanner.Plan(Spec).Single(c => c.Name == "dc1-1");
        var root = Parse(NebulaConfigRenderer.Render(config, FakePki));
        var pki = (YamlMappingNode)root["pki"];
        Assert.Equal("abc123", ((YamlSequenceNode)pki["blocklist"]).Children.Single().ToString());
        Assert.Equal("false", root["lighthouse"]["am_lighthouse"].ToString());
        Assert.Equal(2, ((YamlSequenceNode)root["lighthouse"]["hosts"]).Children.Count);
        Assert.Equal($"198.51.100.1:{ScyllaApocryph.Components.Defaults.Ports.NebulaUdp}", ((YamlSequenceNode)root["static_host_map"]["10.42.0.1"]).Children.Single().ToString());
        Assert.Equal("true", root["punchy"]["punch"].ToString());
        Assert.Equal("1300", root["tun"]["mtu"].ToString());
        Assert.Equal("true", root["relay"]["use_relays"].ToString());
        var inbound = (YamlSequenceNode)root["firewall"]["inbound"];
        Assert.Equal("7000", inbound.Children[0]["port"].ToString());
        Assert.Equal("scylla-prod", inbound.Children[0]["group"].ToString());
    }

    [NebulaCertFact]
    public void EveryPlannedConfig_WithRealCertificatesInline_PassesNebulaTest()
    {
        var tool = new NebulaCertTool();
        var ca = tool.CreateCa("test-ca", TimeSpan.FromDays(2));
        foreach (var config in NebulaMeshPlanner.Plan(Spec with { OperatorGroup = "ops", InternodeTls = true }))
        {
            var host = tool.Sign(ca, config.Name, config.OverlayIp + "/16", ["scylla-prod"], TimeSpan.FromDays(1));
            var fingerprint = tool.Print(host.CertificatePem).Fingerprint;
            var text = NebulaConfigRenderer.Render(config, new NebulaPki(ca.CertificatePem, host.CertificatePem, host.PrivateKeyPem, [fingerprint]));
            var (code, output) = NebulaTest(text);
            Assert.True(code == 0, $"nebula -test rejected {config.Name}: {output}");
        }
    }

    [NebulaCertFact]
    public void NebulaTest_RejectsABrokenConfig_SoTheCheckAboveCanFail()
    {
        var config = NebulaMeshPlanner.Plan(Spec)[0];
        var text = NebulaConfigRenderer.Render(config, new NebulaPki("not a cert", "nope", "nope", []));
        Assert.NotEqual(0, NebulaTest(text).ExitCode);
    }

    private static (int ExitCode, string Output) NebulaTest(string configText)
    {
        var dir = Directory.CreateTempSubdirectory("sa-nebula-test-");
        try
        {
            var path = Path.Combine(dir.FullName, "config.yml");
            File.WriteAllText(path, configText);
            using var p = Process.Start(new ProcessStartInfo("nebula", ["-test", "-config", path]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(20_000)) { p.Kill(true); return (-1, "timed out"); }
            p.WaitForExit();
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
