using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Tests.Components;

/// <summary>Stacks for component tests, built in code so each test states what matters to it.</summary>
internal static class ClusterFixtures
{
    public static readonly NodeResources Resources = new(2, 4L << 30, 20L << 30);

    public static StackSpec Stack(SecurityMode security = SecurityMode.Tls, ArbiterSpec? arbiter = null, params (string Name, int Nodes, ProviderKind Kind)[] dcs)
    {
        var providers = dcs.Select(d => new ProviderSpec(d.Name, d.Kind, Settings(d.Kind))).ToList();
        if (arbiter is not null) providers.Add(new ProviderSpec(arbiter.Provider, ProviderKind.Render, Settings(ProviderKind.Render)));
        var cluster = new ClusterSpec("demo", "scylladb/scylla:2025.1.4", security, Resources,
            [.. dcs.Select(d => new DatacenterSpec(d.Name, d.Name, d.Nodes))]) { Arbiter = arbiter };
        if (dcs.Any(d => d.Kind == ProviderKind.Apocryph)) cluster = cluster with { Ports = new PortSpec(SslStorage: 30701, CqlTls: 30942) { CqlShardAwareTls = 30943 } };
        return new StackSpec("test", "scylla-apocryph", cluster, providers);
    }

    public static StackSpec ThreeDatacenters(int nodes = 3, SecurityMode security = SecurityMode.Tls) =>
        Stack(security, null, ("alpha", nodes, ProviderKind.Render), ("beta", nodes, ProviderKind.Render), ("gamma", nodes, ProviderKind.Render));

    private static Dictionary<string, string> Settings(ProviderKind kind) => kind switch
    {
        ProviderKind.Kubernetes => new() { ["context"] = "minikube", ["namespace"] = "db" },
        ProviderKind.Apocryph => new() { ["publicHost"] = "provider.example" },
        _ => new() { ["directory"] = "out", ["publicHost"] = "192.0.2.10" },
    };
}
