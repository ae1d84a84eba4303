using ScyllaApocryph.Agent;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Tests.Agent;

public sealed class EffectiveConfigTests
{
    private static AgentConfig Config(string dir) => new()
    {
        Cluster = "c", Slot = "a", FounderSlot = "a", Slots = [new AgentSlot("a", "dc1", 0, "10.0.0.1", "http://10.0.0.1:8080/")],
        DataDirectory = Path.Combine(dir, "data"), BaseScyllaYaml = Path.Combine(dir, "base.yaml"), ScyllaConfDirectory = Path.Combine(dir, "conf"),
        Entrypoint = ["/docker-entrypoint.py", "--smp", "2", "--seeds", "10.0.0.1", "--api-address=10.0.0.1", "--developer-mode", "0"],
        Listen = "10.0.0.1:8080", Security = "none",
    };

    private static YamlMappingNode Load(string path)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(path);
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    [Fact]
    public void A_replacement_boot_writes_replace_node_first_boot_the_ignore_list_and_the_seeds_and_keeps_the_rest()
    {
        var dir = Directory.CreateTempSubdirectory("effective").FullName;
        try
        {
            var config = Config(dir);
            File.WriteAllText(config.BaseScyllaYaml,
                "cluster_name: c\napi_address: 0.0.0.0\nreplace_node_first_boot: stale\nseed_provider:\n  - class_name: x\n    parameters:\n      - seeds: 10.0.0.1\n");
            var path = EffectiveConfig.Write(config, new BootPlan("replacing", ["10.0.0.2", "10.0.0.3"], "host-old", ["host-dead"]));

            var root = Load(path);
            Assert.Equal("c", root["cluster_name"].ToString());
            Assert.Equal("127.0.0.1", root["api_address"].ToString()); // the REST API never leaves loopback
            Assert.Equal("host-old", root["replace_node_first_boot"].ToString());
            Assert.Equal("host-dead", root["ignore_dead_nodes_for_replace"].ToString());
            var seeds = ((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)root["seed_provider"])[0])["parameters"])[0])["seeds"];
            Assert.Equal("10.0.0.2,10.0.0.3", seeds.ToString());

            // The command line beats scylla.yaml in docker-entrypoint.py: the seeds there are this boot's, once.
            var args = EffectiveConfig.Arguments(config, new BootPlan("replacing", ["10.0.0.2", "10.0.0.3"], "host-old"));
            Assert.Equal(["--smp", "2", "--developer-mode", "0", "--seeds", "10.0.0.2,10.0.0.3", "--api-address", "127.0.0.1"], args);

            // A restart (or join) carries no replace setting, even where the base file had one.
            var restart = Load(EffectiveConfig.Write(config, new BootPlan("restart", ["10.0.0.2"])));
            Assert.False(restart.Children.ContainsKey(new YamlScalarNode("replace_node_first_boot")));
            Assert.False(restart.Children.ContainsKey(new YamlScalarNode("ignore_dead_nodes_for_replace")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void An_empty_base_file_still_gets_loopback_REST_the_api_port_and_the_seeds_in_a_directory_made_for_it()
    {
        var dir = Directory.CreateTempSubdirectory("effective-empty").FullName;
        try
        {
            var config = Config(dir) with { ScyllaApiPort = 10123 };
            File.WriteAllText(config.BaseScyllaYaml, "");
            var path = EffectiveConfig.Write(config, new BootPlan("founding the new cluster", ["10.0.0.1"]));

            Assert.Equal(Path.Combine(config.ScyllaConfDirectory, "scylla.yaml"), path);
            Assert.StartsWith("# Effective configuration written by scylla-apocryph-agent: founding the new cluster\n", File.ReadAllText(path));
            Assert.Equal(["scylla.yaml"], Directory.GetFiles(config.ScyllaConfDirectory).Select(Path.GetFileName)); // no temporary file left
            var root = Load(path);
            Assert.Equal("127.0.0.1", root["api_address"].ToString());
            Assert.Equal("10123", root["api_port"].ToString());
            var provider = (YamlMappingNode)((YamlSequenceNode)root["seed_provider"])[0];
            Assert.Equal("org.apache.cassandra.locator.SimpleSeedProvider", provider["class_name"].ToString());
            Assert.Equal("10.0.0.1", ((YamlMappingNode)((YamlSequenceNode)provider["parameters"])[0])["seeds"].ToString());
            Assert.False(root.Children.ContainsKey(new YamlScalarNode("replace_node_first_boot")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_replacement_with_no_other_dead_node_writes_no_ignore_list()
    {
        var dir = Directory.CreateTempSubdirectory("effective-noignore").FullName;
        try
        {
            var config = Config(dir);
            File.WriteAllText(config.BaseScyllaYaml, "cluster_name: c\nignore_dead_nodes_for_replace: stale\n");
            var root = Load(EffectiveConfig.Write(config, new BootPlan("replacing", ["10.0.0.2"], "host-old", [])));
            Assert.Equal("host-old", root["replace_node_first_boot"].ToString());
            Assert.False(root.Children.ContainsKey(new YamlScalarNode("ignore_dead_nodes_for_replace")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_entrypoints_own_seeds_and_REST_address_are_dropped_in_either_form_and_everything_else_kept_in_order()
    {
        var config = Config("/nowhere") with
        {
            Entrypoint = ["/docker-entrypoint.py", "--seeds=10.0.0.9", "--smp", "1", "--api-address", "0.0.0.0", "--listen-address", "10.0.0.1",
                "--api-address=10.0.0.1", "--broadcast-rpc-address", "127.0.1.1"],
        };
        Assert.Equal(["--smp", "1", "--listen-address", "10.0.0.1", "--broadcast-rpc-address", "127.0.1.1", "--seeds", "10.0.0.2,10.0.0.3",
            "--api-address", "127.0.0.1"], EffectiveConfig.Arguments(config, new BootPlan("join", ["10.0.0.2", "10.0.0.3"])));
    }

    [Fact]
    public async Task A_second_volume_lock_waits_until_the_first_is_released()
    {
        var dir = Directory.CreateTempSubdirectory("volume-lock").FullName;
        try
        {
            var messages = new List<string>();
            var first = await VolumeLock.AcquireAsync(dir, "first", TimeSpan.FromMilliseconds(20), messages.Add, default);
            var second = Task.Run(() => VolumeLock.AcquireAsync(dir, "second", TimeSpan.FromMilliseconds(20), m => { lock (messages) messages.Add(m); }, default));
            for (var i = 0; i < 500 && messages.Count == 0; i++) await Task.Delay(10);
            Assert.False(second.IsCompleted);
            Assert.Contains("locked by another agent (first)", Assert.Single(messages));
            first.Dispose();
            using var held = await second.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
