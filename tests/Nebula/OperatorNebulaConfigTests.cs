using System.Diagnostics;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Providers.Nebula;
using ScyllaApocryph.Tests.Components;
using ScyllaApocryph.Tests.Pki;

namespace ScyllaApocryph.Tests.Nebula;

public sealed class OperatorNebulaConfigTests
{
    [NebulaCertFact]
    public void The_operators_nebula_config_with_the_files_beside_it_passes_nebula_test()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        stack = stack with { Cluster = stack.Cluster with { Membership = new ReconciliationSpec(new Uri("http://agent/"), "ops") } };
        var topology = Topology.Build(stack);
        var tool = new NebulaCertTool();
        var ca = tool.CreateCa("test-ca", TimeSpan.FromDays(2));
        var op = tool.Sign(ca, "demo-operator", SecurityMaterial.OperatorOverlayIp(topology.Cluster) + "/16", ["ops"], TimeSpan.FromDays(1));
        var dir = Directory.CreateTempSubdirectory("sa-operator-nebula-");
        try
        {
            // As the README has the operator do: the three files and the config in one directory, nebula started there.
            File.WriteAllText(Path.Combine(dir.FullName, "nebula-ca.crt"), ca.CertificatePem);
            File.WriteAllText(Path.Combine(dir.FullName, "operator.crt"), op.CertificatePem);
            File.WriteAllText(Path.Combine(dir.FullName, "operator.key"), op.PrivateKeyPem);
            File.WriteAllText(Path.Combine(dir.FullName, "config.yml"),
                SecurityMaterial.OperatorNebulaConfig(topology).Replace("__nebula_blocklist__", "[]"));
            using var p = Process.Start(new ProcessStartInfo("nebula", ["-test", "-config", "config.yml"])
            {
                WorkingDirectory = dir.FullName, RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            var output = p.StandardOutput.ReadToEndAsync();
            var errors = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(20_000));
            Assert.True(p.ExitCode == 0, output.Result + errors.Result);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
