using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Infra.Config;

namespace ScyllaApocryph.Tests.Infra;

public sealed class StackConfigTests
{
    private const string Valid = """
        config:
          scylla-apocryph:cluster:
            name: demo
            image: scylladb/scylla:2025.1.4
            security: tls
            nodeResources: { cpu: 2, memory: 4Gi, disk: 20Gi }
            datacenters:
              - { name: one, provider: p1, nodes: 3 }
              - { name: two, provider: p2, nodes: 3 }
            arbiter: { provider: p3 }
          scylla-apocryph:providers:
            p1: { kind: render, directory: out/p1 }
            p2: { kind: render, directory: out/p2 }
            p3: { kind: render, directory: out/p3 }
        """;

    private static IReadOnlyList<string> Errors(string yaml) =>
        Assert.Throws<ConfigException>(() => StackConfigLoader.Parse("scylla-apocryph", "test", "Pulumi.test.yaml", yaml)).Errors;

    [Fact]
    public void A_valid_stack_file_gives_the_cluster_and_its_providers()
    {
        var spec = StackConfigLoader.Parse("scylla-apocryph", "test", "Pulumi.test.yaml", Valid);

        Assert.Equal("demo", spec.Cluster.Name);
        Assert.Equal(SecurityMode.Tls, spec.Cluster.Security);
        Assert.Equal(4L << 30, spec.Cluster.Resources.MemoryBytes);
        Assert.Equal(["one", "two"], spec.Cluster.Datacenters.Select(d => d.Name));
        Assert.Equal(ProviderKind.Render, spec.Provider("p2").Kind);
        Assert.Equal("out/p2", spec.Provider("p2").Settings["directory"]);
    }

    [Fact]
    public void A_node_count_below_one_names_its_key_path()
    {
        var errors = Errors(Valid.Replace("{ name: two, provider: p2, nodes: 3 }", "{ name: two, provider: p2, nodes: 0 }"));

        Assert.Equal(["scylla-apocryph:cluster.datacenters[1].nodes: must be >= 1"], errors);
    }

    [Fact]
    public void Unknown_keys_are_errors_that_list_the_known_ones()
    {
        var errors = Errors(Valid.Replace("security: tls", "security: tls\n    colour: blue"));

        var error = Assert.Single(errors);
        Assert.StartsWith("scylla-apocryph:cluster.colour: unknown key", error);
        Assert.Contains("datacenters", error);
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_an_error()
    {
        var errors = Errors(Valid.Replace("nodes: 3 }\n      - { name: two", "nodes: three }\n      - { name: two"));

        Assert.Equal(["scylla-apocryph:cluster.datacenters[0].nodes: must be an integer, got 'three'"], errors);
    }

    [Fact]
    public void Memory_below_one_and_a_half_gibibytes_per_node_is_refused()
    {
        var errors = Errors(Valid.Replace("memory: 4Gi", "memory: 1Gi"));

        Assert.Contains("scylla-apocryph:cluster.nodeResources.memory: must be at least 1.5Gi", Assert.Single(errors));
    }

    [Fact]
    public void Exactly_one_and_a_half_gibibytes_is_enough()
    {
        var spec = StackConfigLoader.Parse("scylla-apocryph", "test", "f", Valid.Replace("memory: 4Gi", "memory: 1536Mi"));

        Assert.Equal(NodeResources.MinimumMemoryBytes, spec.Cluster.Resources.MemoryBytes);
    }

    [Fact]
    public void Duplicate_datacenter_names_are_refused()
    {
        var errors = Errors(Valid.Replace("{ name: two, provider: p2", "{ name: one, provider: p2"));

        Assert.Equal(["scylla-apocryph:cluster.datacenters[1].name: duplicate datacenter name 'one'"], errors);
    }

    [Fact]
    public void Two_datacenters_on_one_provider_are_refused()
    {
        var errors = Errors(Valid.Replace("{ name: two, provider: p2", "{ name: two, provider: p1"));

        Assert.Contains("one datacenter per provider", Assert.Single(errors));
    }

    [Fact]
    public void A_datacenter_naming_an_unknown_provider_is_refused()
    {
        var errors = Errors(Valid.Replace("provider: p2", "provider: nowhere"));

        Assert.Equal(["scylla-apocryph:cluster.datacenters[1].provider: names provider 'nowhere', which is not under scylla-apocryph:providers (known: p1, p2, p3)"], errors);
    }

    [Fact]
    public void A_provider_missing_a_required_setting_is_refused()
    {
        var errors = Errors(Valid.Replace("{ kind: render, directory: out/p2 }", "{ kind: render }"));

        Assert.Equal(["scylla-apocryph:providers.p2.directory: is required (a string)"], errors);
    }

    [Fact]
    public void All_errors_are_reported_at_once()
    {
        var errors = Errors(Valid
            .Replace("memory: 4Gi", "memory: 1Gi")
            .Replace("nodes: 3 }\n      - { name: two", "nodes: 0 }\n      - { name: two")
            .Replace("p1: { kind: render", "p1: { kind: cloud")
            .Replace("security: tls", "security: maybe"));

        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Cross_checks_run_after_the_keys_are_valid_and_name_their_key()
    {
        var errors = Errors(Valid.Replace("    arbiter: { provider: p3 }\n", ""));

        Assert.StartsWith("scylla-apocryph:cluster.datacenters: this layout cannot survive the loss of one provider", Assert.Single(errors));
    }

    [Fact]
    public void Cross_checks_are_reported_together_with_key_errors_elsewhere()
    {
        var errors = Errors(Valid.Replace("    arbiter: { provider: p3 }\n", "").Replace("memory: 4Gi", "memory: 1Gi"));

        Assert.Equal(2, errors.Count);
        Assert.StartsWith("scylla-apocryph:cluster.nodeResources.memory: must be at least 1.5Gi", errors[0]);
        Assert.StartsWith("scylla-apocryph:cluster.datacenters: this layout cannot survive the loss of one provider", errors[1]);
    }

    [Fact]
    public void A_layout_check_waits_while_a_datacenter_has_an_error_of_its_own()
    {
        // The broken datacenter is missing from what parsed; "cannot survive" would only describe its absence.
        var errors = Errors(Valid.Replace("    arbiter: { provider: p3 }\n", "").Replace("nodes: 3 }\n      - { name: two", "nodes: 0 }\n      - { name: two"));

        Assert.Equal(["scylla-apocryph:cluster.datacenters[0].nodes: must be >= 1"], errors);
    }

    [Fact]
    public void A_provider_given_twice_is_reported_with_its_key_path_along_with_every_other_error()
    {
        var errors = Errors(Valid
            .Replace("    p3: { kind: render, directory: out/p3 }", "    p3: { kind: render, directory: out/p3 }\n    p1: { kind: render, directory: out/again }")
            .Replace("memory: 4Gi", "memory: 1Gi"));

        Assert.Equal(2, errors.Count);
        Assert.Equal("scylla-apocryph:providers.p1: duplicate key (again on line 15); give each key once", errors[0]);
        Assert.StartsWith("scylla-apocryph:cluster.nodeResources.memory: must be at least 1.5Gi", errors[1]);
    }

    [Fact]
    public void A_key_given_twice_inside_a_list_item_names_its_index()
    {
        var errors = Errors(Valid.Replace("{ name: two, provider: p2, nodes: 3 }", "{ name: two, provider: p2, nodes: 3, nodes: 4 }"));

        Assert.StartsWith("scylla-apocryph:cluster.datacenters[1].nodes: duplicate key", Assert.Single(errors));
    }

    [Fact]
    public void Arbiter_ports_keyspaces_and_racks_are_read()
    {
        var spec = StackConfigLoader.Parse("scylla-apocryph", "test", "f", Valid
            .Replace("{ name: one, provider: p1, nodes: 3 }", "{ name: one, provider: p1, nodes: 3, racks: [r1, r2] }")
            .Replace("arbiter: { provider: p3 }", "arbiter: { provider: p3 }\n    ports: { sslStorage: 30701, cqlTls: 30942 }\n    keyspaces: [{ name: app, replication: { one: 2 } }]"));

        Assert.Equal("p3", spec.Cluster.Arbiter!.Provider);
        Assert.Equal(30701, spec.Cluster.Ports.SslStorage);
        Assert.Equal(2, spec.Cluster.Keyspaces.Single().Replication!["one"]);
        Assert.Equal(["r1", "r2"], spec.Cluster.Datacenters[0].RackNames);
    }

    [Fact]
    public void A_wallet_key_written_into_the_stack_file_is_refused()
    {
        var errors = Errors(Valid.Replace("arbiter: { provider: p3 }", "arbiter: { provider: p3 }\n    membershipProof: { privateKey: '0xabc' }"));

        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:cluster.membershipProof.privateKey: the wallet key never goes into the stack file", StringComparison.Ordinal));
    }

    [Fact]
    public void Membership_reconciliation_needs_the_overlay_and_the_autoscaler_is_read()
    {
        const string extra = "\n    membership: { hooks: 'http://agent:8080', operatorGroup: ops }\n    autoscaler: { endpoint: 'http://autoscaler:8080', nodeGateway: gw, servers: ['http://10.0.0.1:30080', 'http://10.0.0.2:30080', 'http://10.0.0.3:30080'] }";

        var errors = Errors(Valid.Replace("arbiter: { provider: p3 }", "arbiter: { provider: p3 }" + extra));
        var spec = StackConfigLoader.Parse("scylla-apocryph", "test", "f", Valid
            .Replace("security: tls", "security: nebula")
            .Replace("p2: { kind: render, directory: out/p2 }", "p2: { kind: kubernetes, context: minikube, publicHost: 203.0.113.7 }")
            .Replace("directory: out/p1 }", "directory: out/p1, publicHost: 203.0.113.1 }")
            .Replace("directory: out/p3 }", "directory: out/p3, publicHost: 203.0.113.3 }")
            .Replace("arbiter: { provider: p3 }", "arbiter: { provider: p3 }" + extra)
            .Replace("nodeResources:", "ports: { nebulaUdp: 30400 }\n    nodeResources:"));

        Assert.StartsWith("scylla-apocryph:cluster.membership: needs security: nebula", Assert.Single(errors));
        Assert.Equal("ops", spec.Cluster.Membership!.OperatorGroup);
        Assert.Equal(["http://10.0.0.1:30080", "http://10.0.0.2:30080", "http://10.0.0.3:30080"], spec.Cluster.Autoscaler!.Servers);
        Assert.Equal(30, spec.Cluster.Autoscaler.TimeoutSeconds); // tpodctl's
    }

    [Fact]
    public void Autoscaler_servers_upstream_cannot_parse_are_named_by_index()
    {
        const string extra = "\n    autoscaler: { endpoint: 'http://autoscaler:8080', nodeGateway: gw, servers: ['http://10.0.0.1:30080', b, 'http://autoscaler-3:30080'] }";

        var errors = Errors(Valid.Replace("arbiter: { provider: p3 }", "arbiter: { provider: p3 }" + extra));

        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:cluster.autoscaler.servers[1]: must be http://<IPv4>:<port>", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:cluster.autoscaler.servers[2]: must be http://<IPv4>:<port>", StringComparison.Ordinal));
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void The_pki_section_sets_durations_renewal_and_ca_rotation_and_each_bad_value_names_its_key_path()
    {
        var spec = StackConfigLoader.Parse("scylla-apocryph", "test", "f", Valid.Replace("arbiter: { provider: p3 }",
            "arbiter: { provider: p3 }\n    pki: { caDuration: 1825d, certDuration: 90d, renewBefore: 15d, caRotation: 2 }"));
        var errors = Errors(Valid.Replace("arbiter: { provider: p3 }",
            "arbiter: { provider: p3 }\n    pki: { caDuration: 10y, certDuration: 30d, renewBefore: 30d, caRotation: -1, colour: blue }"));

        Assert.Equal(new PkiSpec("1825d", "90d", "15d", 2), spec.Cluster.Pki);
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:cluster.pki.caRotation: must be >= 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:cluster.pki.colour: unknown key", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_stack_file_is_an_error_that_lists_the_stacks_present()
    {
        var dir = Directory.CreateTempSubdirectory("proj-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "Pulumi.yaml"), "name: scylla-apocryph\nruntime: dotnet\n");
            File.WriteAllText(Path.Combine(dir, "Pulumi.dev.yaml"), Valid);

            var error = Assert.Throws<ConfigException>(() => StackConfigLoader.Load(ProjectInfo.Find(dir), "prod"));

            Assert.Equal([$"Pulumi.prod.yaml: stack file not found in {dir} (stacks here: dev)"], error.Errors);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Broken_yaml_is_reported_with_its_line()
    {
        var errors = Errors("config:\n  a: [unclosed\n");

        Assert.Matches(@"^Pulumi\.test\.yaml:\d+:\d+: ", Assert.Single(errors));
    }

    [Fact]
    public void Yaml_the_parser_gives_up_on_without_a_position_is_still_reported_with_file_line_and_column()
    {
        // YamlDotNet throws InvalidOperationException here, which used to escape as exit 1.
        var errors = Errors("config:\n  a: [\n  b: 1\n");

        Assert.StartsWith("Pulumi.test.yaml:2:", Assert.Single(errors));
    }

    [Fact]
    public void The_repository_stack_files_are_valid()
    {
        var root = RepositoryRoot();
        var project = ProjectInfo.Find(root);
        foreach (var stack in new[] { "local", "dev" })
            Assert.Equal(stack, StackConfigLoader.Load(project, stack).Stack);
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Infra.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [Fact]
    public void A_kubernetes_provider_gives_its_context_and_optional_settings()
    {
        var spec = StackConfigLoader.Parse("scylla-apocryph", "test", "f", Valid
            .Replace("p2: { kind: render, directory: out/p2 }", "p2: { kind: kubernetes, context: minikube, namespace: db }")
            .Replace("directory: out/p1 }", "directory: out/p1, publicHost: 203.0.113.1 }")
            .Replace("directory: out/p3 }", "directory: out/p3, publicHost: 203.0.113.3 }")
            .Replace("security: tls", "security: nebula")
            .Replace("p2: { kind: kubernetes, context: minikube, namespace: db }", "p2: { kind: kubernetes, context: minikube, namespace: db, publicHost: 203.0.113.7 }")
            .Replace("nodeResources:", "ports: { nebulaUdp: 30400 }\n    nodeResources:"));

        Assert.Equal(ProviderKind.Kubernetes, spec.Provider("p2").Kind);
        Assert.Equal("minikube", spec.Provider("p2").Settings["context"]);
        Assert.Equal("db", spec.Provider("p2").Setting("namespace"));
    }

    [Fact]
    public void A_retired_datacenter_must_no_longer_be_a_datacenter_of_the_stack()
    {
        var errors = Errors(Valid
            .Replace("security: tls", "security: nebula")
            .Replace("arbiter: { provider: p3 }", "arbiter: { provider: p3 }\n    membership: { hooks: 'http://agent:8080', operatorGroup: ops, retiredDatacenters: [two] }"));

        Assert.Contains("scylla-apocryph:cluster.membership.retiredDatacenters: 'two' is still a datacenter of the stack; list a datacenter here only once it is removed from datacenters and no keyspace replicates there", errors);
    }
}
