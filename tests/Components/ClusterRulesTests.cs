using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Tests.Components;

public sealed class ClusterRulesTests
{
    private static (IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings) Check(StackSpec stack) => ClusterRules.Check(stack, "scylla-apocryph");

    [Fact]
    public void Three_datacenters_on_three_providers_survive_the_loss_of_any_one()
    {
        var (errors, warnings) = Check(ClusterFixtures.ThreeDatacenters());

        Assert.Empty(errors);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Two_equal_datacenters_without_an_arbiter_are_refused_with_the_reason_and_the_fix()
    {
        var (errors, _) = Check(ClusterFixtures.Stack(SecurityMode.Tls, null, ("alpha", 3, ProviderKind.Render), ("beta", 3, ProviderKind.Render)));

        var error = Assert.Single(errors);
        Assert.Contains("losing provider 'alpha' (3 of 6 nodes) would leave 3, not a majority of 6", error);
        Assert.Contains("arbiter", error);
        Assert.Contains("allowFragileTopology", error);
    }

    [Fact]
    public void An_arbiter_at_a_third_provider_makes_two_datacenters_survivable()
    {
        var (errors, _) = Check(ClusterFixtures.Stack(SecurityMode.Tls, new ArbiterSpec("third"), ("alpha", 3, ProviderKind.Render), ("beta", 3, ProviderKind.Render)));

        Assert.Empty(errors);
    }

    [Fact]
    public void Unequal_datacenters_where_the_larger_holds_half_are_refused()
    {
        var (errors, _) = Check(ClusterFixtures.Stack(SecurityMode.Tls, null, ("alpha", 3, ProviderKind.Render), ("beta", 2, ProviderKind.Render)));

        Assert.Contains("losing provider 'alpha'", Assert.Single(errors));
    }

    [Fact]
    public void An_explicitly_allowed_fragile_topology_is_a_warning_instead()
    {
        var stack = ClusterFixtures.Stack(SecurityMode.Tls, null, ("alpha", 3, ProviderKind.Render));
        stack = stack with { Cluster = stack.Cluster with { AllowFragileTopology = true } };

        var (errors, warnings) = Check(stack);

        Assert.Empty(errors);
        Assert.Contains("fragile topology", Assert.Single(warnings));
    }

    [Fact]
    public void The_arbiter_must_not_share_a_provider_with_a_datacenter()
    {
        var stack = ClusterFixtures.Stack(SecurityMode.Tls, null, ("alpha", 3, ProviderKind.Render), ("beta", 3, ProviderKind.Render));
        stack = stack with { Cluster = stack.Cluster with { Arbiter = new ArbiterSpec("beta") } };

        var (errors, _) = Check(stack);

        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:cluster.arbiter.provider", StringComparison.Ordinal));
    }

    [Fact]
    public void A_replication_factor_above_the_datacenter_node_count_is_refused()
    {
        var stack = ClusterFixtures.ThreeDatacenters(nodes: 2);
        stack = stack with { Cluster = stack.Cluster with { Keyspaces = [new KeyspaceSpec("app", new Dictionary<string, int> { ["alpha"] = 3 })] } };

        var (errors, _) = Check(stack);

        Assert.Equal(["scylla-apocryph:cluster.keyspaces[0].replication.alpha: replication factor 3 exceeds the 2 node(s) of datacenter alpha"], errors);
    }

    [Fact]
    public void The_default_replication_is_three_or_the_datacenter_size_and_the_arbiter_holds_none()
    {
        var stack = ClusterFixtures.Stack(SecurityMode.Tls, new ArbiterSpec("third"), ("alpha", 5, ProviderKind.Render), ("beta", 2, ProviderKind.Render));

        var replication = KeyspacePlan.Replication(Topology.Build(stack), new KeyspaceSpec("app"));

        Assert.Equal(new Dictionary<string, int> { ["alpha"] = 3, ["beta"] = 2 }, replication);
    }

    [Fact]
    public void Nebula_on_an_Apocryph_provider_is_refused_with_the_reason()
    {
        var (errors, _) = Check(ClusterFixtures.Stack(SecurityMode.Nebula, null, ("a", 1, ProviderKind.Apocryph), ("b", 1, ProviderKind.Render), ("c", 1, ProviderKind.Render)));

        var error = Assert.Single(errors);
        Assert.Contains("no UDP ports", error);
        Assert.Contains("security: tls", error);
    }

    [Fact]
    public void Plain_mode_warns_loudly_and_is_refused_on_Apocryph()
    {
        var (_, warnings) = Check(ClusterFixtures.ThreeDatacenters(security: SecurityMode.None));
        var (errors, _) = Check(ClusterFixtures.Stack(SecurityMode.None, null, ("a", 1, ProviderKind.Apocryph), ("b", 1, ProviderKind.Render), ("c", 1, ProviderKind.Render)));

        Assert.StartsWith("SECURITY:", Assert.Single(warnings));
        Assert.Contains("security: none is refused on Apocryph", Assert.Single(errors));
    }

    [Fact]
    public void On_Apocryph_the_internode_and_client_ports_must_be_NodePorts()
    {
        var stack = ClusterFixtures.Stack(SecurityMode.Tls, null, ("a", 1, ProviderKind.Apocryph), ("b", 1, ProviderKind.Render), ("c", 1, ProviderKind.Render));
        stack = stack with { Cluster = stack.Cluster with { Ports = new PortSpec() } };

        var (errors, _) = Check(stack);

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:cluster.ports.sslStorage: 7001 is not a NodePort", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:cluster.ports.cqlShardAwareTls: 19142 is not a NodePort", StringComparison.Ordinal));
    }

    [Fact]
    public void An_Apocryph_provider_runs_one_node_because_its_ports_and_public_host_are_shared()
    {
        var (errors, _) = Check(ClusterFixtures.Stack(SecurityMode.Tls, null, ("a", 2, ProviderKind.Apocryph), ("b", 2, ProviderKind.Render), ("c", 2, ProviderKind.Render)));

        Assert.StartsWith("scylla-apocryph:cluster.datacenters[0].nodes: 2 nodes on Apocryph provider 'a', which can run one", Assert.Single(errors));
    }

    [Fact]
    public void Without_the_overlay_a_cluster_across_providers_cannot_include_Kubernetes_nodes()
    {
        var across = ClusterFixtures.Stack(SecurityMode.Tls, null, ("k", 1, ProviderKind.Kubernetes), ("b", 1, ProviderKind.Render), ("c", 1, ProviderKind.Render));
        var alone = ClusterFixtures.Stack(SecurityMode.Tls, null, ("k", 3, ProviderKind.Kubernetes));
        alone = alone with { Cluster = alone.Cluster with { AllowFragileTopology = true } };

        var (errors, _) = Check(across);

        Assert.Contains("svc.cluster.local", Assert.Single(errors));
        Assert.Empty(Check(alone).Errors);
        Assert.DoesNotContain(Check(across with { Cluster = across.Cluster with { Security = SecurityMode.Nebula } }).Errors, e => e.Contains("svc.cluster.local"));
    }

    [Fact]
    public void The_one_host_compose_trial_needs_render_providers_and_no_overlay()
    {
        var stack = ClusterFixtures.ThreeDatacenters() with { ComposeDirectory = "out" };
        var nebula = stack with { Cluster = stack.Cluster with { Security = SecurityMode.Nebula } };

        Assert.Empty(Check(stack).Errors);
        Assert.Contains(Check(nebula).Errors, e => e.StartsWith("scylla-apocryph:compose: the one-host trial has no Nebula overlay", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("demo")]
    [InlineData("beta")]
    [InlineData("scylla")]
    [InlineData("arbiter")]
    [InlineData("lighthouse")]
    public void The_operator_group_must_not_be_a_group_nodes_carry_or_the_REST_API_opens_to_every_node(string group)
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        stack = stack with { Cluster = stack.Cluster with { Membership = new ReconciliationSpec(new Uri("http://agent/"), group) } };

        var (errors, _) = Check(stack);

        var error = Assert.Single(errors);
        Assert.StartsWith($"scylla-apocryph:cluster.membership.operatorGroup: '{group}'", error);
        Assert.Contains("REST API", error);
    }

    [Fact]
    public void An_operator_group_of_its_own_is_accepted()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        stack = stack with { Cluster = stack.Cluster with { Membership = new ReconciliationSpec(new Uri("http://agent/"), "demo-operators") } };

        Assert.Empty(Check(stack).Errors);
    }

    [Theory]
    [InlineData("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318", null, "keyEnv")]
    [InlineData(null, "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318", "keyFile")]
    public void A_wallet_key_pasted_into_membershipProof_is_refused_by_key_path_without_echoing_it(string? keyEnv, string? keyFile, string where)
    {
        var stack = ClusterFixtures.ThreeDatacenters();
        stack = stack with { Cluster = stack.Cluster with { MembershipProof = new MembershipProofSpec(keyEnv, keyFile, null) } };

        var error = Assert.Single(Check(stack).Errors);

        Assert.StartsWith($"scylla-apocryph:cluster.membershipProof.{where}: holds what looks like a private key", error);
        Assert.DoesNotContain("4c0883a6", error);
    }

    [Theory]
    [InlineData("10y", null, null, "scylla-apocryph:cluster.pki.caDuration: '10y' is not a duration")]
    [InlineData(null, "30d", "30d", "scylla-apocryph:cluster.pki.renewBefore: 30d must be shorter than certDuration (30d)")]
    [InlineData(null, null, "400d", "scylla-apocryph:cluster.pki.renewBefore: 400d must be shorter than certDuration (365d)")]
    [InlineData("100d", null, null, "scylla-apocryph:cluster.pki.certDuration: 365d is longer than caDuration (100d)")]
    public void Pki_durations_must_parse_and_fit_inside_each_other(string? ca, string? cert, string? renew, string expected)
    {
        var stack = ClusterFixtures.ThreeDatacenters();
        stack = stack with { Cluster = stack.Cluster with { Pki = new PkiSpec(ca, cert, renew) } };

        Assert.StartsWith(expected, Assert.Single(Check(stack).Errors));
    }
}
