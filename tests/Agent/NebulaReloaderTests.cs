using System.Diagnostics;
using ScyllaApocryph.Agent;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>A changed Nebula configuration makes the agent SIGHUP the Nebula process (never another one).</summary>
public sealed class NebulaReloaderTests
{
    [Fact]
    public void A_changed_nebula_config_sends_SIGHUP_to_the_process_started_with_it_and_an_unchanged_one_sends_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("agent-nebula").FullName;
        Process? nebula = null;
        try
        {
            // A stand-in for the sidecar: an executable named "nebula" whose command line names the config file, as
            // `nebula -config /etc/nebula/nebula.yaml` does (tail -f, which SIGHUP ends: Nebula would reload instead).
            var config = Path.Combine(dir, "nebula.yaml");
            File.WriteAllText(config, "pki:\n  blocklist: []\n");
            var binary = Path.Combine(dir, "nebula");
            File.Copy("/usr/bin/tail", binary);
            File.SetUnixFileMode(binary, (UnixFileMode)0b111_101_101);
            nebula = Process.Start(new ProcessStartInfo(binary, ["-f", config]) { RedirectStandardOutput = true })!;
            var agentConfig = new AgentConfig
            {
                Cluster = "c", Slot = "a", FounderSlot = "a", DataDirectory = dir, Slots = [new AgentSlot("a", "dc1", 0, "10.0.0.1", "http://10.0.0.1:8080/")],
                Entrypoint = ["/bin/true"], BaseScyllaYaml = config, Listen = "10.0.0.1:8080", Security = "nebula",
                Nebula = new AgentNebula(config, "nebula", CommandLineContains: config),
            };
            var reloader = new NebulaReloader(() => agentConfig, new JsonLog("a"));
            for (var i = 0; i < 100 && NebulaReloader.Find("nebula", config).Count == 0; i++) Thread.Sleep(50);
            Assert.Equal([nebula.Id], NebulaReloader.Find("nebula", config));

            reloader.LookOnce(); // what Nebula started with
            reloader.LookOnce();
            Assert.False(nebula.WaitForExit(500)); // unchanged: no signal

            File.WriteAllText(config + ".new", "pki:\n  blocklist: [\"0123abcd\"]\n");
            File.Move(config + ".new", config, overwrite: true);
            reloader.LookOnce(); // first look at the change
            Assert.False(nebula.WaitForExit(200)); // a change counts once two looks agree
            reloader.LookOnce();
            Assert.True(nebula.WaitForExit(10_000));
            Assert.Equal(128 + 1, nebula.ExitCode); // ended by SIGHUP
        }
        finally
        {
            if (nebula is { HasExited: false }) nebula.Kill();
            Directory.Delete(dir, recursive: true);
        }
    }
}
