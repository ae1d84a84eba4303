using ScyllaApocryph.Agent;
using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>What counts as a changed input (a restart), and what a changed agent.json does to a running agent.</summary>
public sealed class InputWatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-inputs").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private AgentConfig Config(string slots = "ab")
    {
        File.WriteAllText(Path.Combine(_dir, "scylla.yaml"),
            "cluster_name: c\nbroadcast_address: 10.0.0.1\nseed_provider:\n  - class_name: x\n    parameters:\n      - seeds: 10.0.0.1\n");
        foreach (var f in new[] { "node.crt", "rackdc" }) if (!File.Exists(Path.Combine(_dir, f))) File.WriteAllText(Path.Combine(_dir, f), f + " v1\n");
        return new AgentConfig
        {
            Cluster = "c", Slot = "a", FounderSlot = "a", DataDirectory = Path.Combine(_dir, "data"),
            Slots = [.. slots.Select((s, i) => new AgentSlot(s.ToString(), "dc1", i, $"10.0.0.{i + 1}", $"http://10.0.0.{i + 1}:8080/"))],
            Entrypoint = ["/docker-entrypoint.py", "--smp", "1", "--seeds", "10.0.0.1"], BaseScyllaYaml = Path.Combine(_dir, "scylla.yaml"),
            ScyllaConfDirectory = Path.Combine(_dir, "conf"), Listen = "10.0.0.1:8080", Security = "none",
            RestartOn = [Path.Combine(_dir, "node.crt")], ConfFiles = [Path.Combine(_dir, "rackdc")],
        };
    }

    [Fact]
    public void A_renewed_certificate_a_changed_conf_file_or_scylla_yaml_key_or_argument_changes_the_fingerprint()
    {
        var config = Config();
        var before = InputFingerprint.Of(config);
        Assert.Equal(before, InputFingerprint.Of(config));

        File.WriteAllText(Path.Combine(_dir, "node.crt"), "node.crt v2\n");
        var renewed = InputFingerprint.Of(config);
        Assert.NotEqual(before, renewed);
        File.WriteAllText(Path.Combine(_dir, "rackdc"), "rackdc v2\n");
        var rack = InputFingerprint.Of(config);
        Assert.NotEqual(renewed, rack);
        File.AppendAllText(config.BaseScyllaYaml, "compaction_throughput_mb_per_sec: 64\n");
        var yaml = InputFingerprint.Of(config);
        Assert.NotEqual(rack, yaml);
        Assert.NotEqual(yaml, InputFingerprint.Of(config with { Entrypoint = ["/docker-entrypoint.py", "--smp", "2"] }));
        File.Delete(Path.Combine(_dir, "node.crt"));
        Assert.NotEqual(yaml, InputFingerprint.Of(config));
    }

    [Fact]
    public void Seeds_and_the_other_keys_the_agent_writes_itself_restart_nothing()
    {
        var config = Config();
        var before = InputFingerprint.Of(config);
        File.WriteAllText(config.BaseScyllaYaml,
            "cluster_name: c\nbroadcast_address: 10.0.0.1\napi_port: 10001\nreplace_node_first_boot: h\nseed_provider:\n  - class_name: x\n" +
            "    parameters:\n      - seeds: 10.0.0.2,10.0.0.3\n");
        Assert.Equal(before, InputFingerprint.Of(config));
        Assert.Equal(before, InputFingerprint.Of(config with { Entrypoint = ["/docker-entrypoint.py", "--smp", "1", "--seeds=10.0.0.9"] }));
    }

    [Fact]
    public void A_reload_takes_membership_at_once_and_holds_what_the_running_agent_is()
    {
        var current = Config("abc");
        var next = Config("ab") with
        {
            Retired = [new SlotSpec("c", "dc1", 2, "10.0.0.3")], Listen = "10.0.0.1:9090", Slot = "b", PollIntervalMs = 700,
        };
        var change = AgentConfigReload.Apply(current, next);
        Assert.Equal(["a", "b"], change.Effective.Slots.Select(s => s.Slot));
        Assert.Equal("c", Assert.Single(change.Effective.Retired).Slot);
        Assert.Equal(700, change.Effective.PollIntervalMs);
        Assert.Equal(("a", "10.0.0.1:8080"), (change.Effective.Slot, change.Effective.Listen));
        Assert.Equal(["slot", "listen"], change.Held);
        Assert.Empty(AgentConfigReload.Apply(current, current with { Slots = next.Slots }).Held);
    }

    [Fact]
    public void Effective_config_copies_the_conf_files_into_the_conf_directory()
    {
        var config = Config();
        EffectiveConfig.Write(config, new BootPlan("test", ["10.0.0.2"]));
        Assert.Equal("rackdc v1\n", File.ReadAllText(Path.Combine(config.ScyllaConfDirectory, "rackdc")));
    }
}
