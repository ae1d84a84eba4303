using k8s;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Providers.Kubernetes;
using ScyllaApocryph.Providers;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Kubernetes;

public sealed class KubernetesProviderTests : IDisposable
{
    private readonly FakeKubernetesApi _api = new();
    private readonly string _state = Directory.CreateTempSubdirectory("k8s-state-").FullName;

    public void Dispose() => Directory.Delete(_state, true);

    private static StackSpec Stack()
    {
        var cluster = new ClusterSpec("db", "scylladb/scylla:2025.1.4", SecurityMode.Tls, new NodeResources(2, 4L << 30, 20L << 30),
            [new DatacenterSpec("dc1", "kube", 3)]) { AllowFragileTopology = true };
        return new StackSpec("dev", "scylla-apocryph", cluster,
            [new ProviderSpec("kube", ProviderKind.Kubernetes, new Dictionary<string, string> { ["context"] = "minikube", ["namespace"] = "data" })]);
    }

    private async Task<DeploymentResult> Run(Func<DeploymentEngine, StateStore, ResourceGraph, Task<DeploymentResult>> action)
    {
        var graph = new ResourceGraph("dev", "scylla-apocryph");
        ScyllaCluster.Declare(graph, Stack());
        var providers = BuiltInProviders.Registry()
            .Add("kube", new KubernetesProvider(() => new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://kubernetes.test" }, _api)));
        using var store = StateStore.Open(_state, PassphraseCipher.Open(_state, "p", 1000));
        return await action(new DeploymentEngine(providers), store, graph);
    }

    private Task<DeploymentResult> Up() => Run((e, s, g) => e.UpAsync(g, s));

    [Fact]
    public async Task Up_applies_every_object_with_server_side_apply()
    {
        var result = await Up();

        Assert.True(result.Succeeded, string.Join("\n", result.Outcomes.Select(o => o.Error)));
        var patches = _api.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Equal(3 + 3 * 4, patches.Count);
        Assert.All(patches, p => Assert.Contains("fieldManager=scylla-apocryph", p.Query));
        Assert.All(patches, p => Assert.Contains("force=true", p.Query));
        Assert.Contains("/apis/apps/v1/namespaces/data/statefulsets/db-dc1-0", _api.Objects.Keys);
        Assert.Contains("/api/v1/namespaces/data", _api.Objects.Keys);
    }

    [Fact]
    public async Task The_namespace_comes_first_and_each_workload_after_the_configuration_it_mounts()
    {
        await Up();

        var order = _api.Requests.Where(r => r.Method == "PATCH").Select(r => r.Path).ToList();
        Assert.Equal("/api/v1/namespaces/data", order[0]);
        foreach (var node in new[] { "db-dc1-0", "db-dc1-1", "db-dc1-2" })
        {
            var set = order.IndexOf($"/apis/apps/v1/namespaces/data/statefulsets/{node}");
            Assert.True(order.IndexOf($"/api/v1/namespaces/data/secrets/{node}-secret") < set);
            Assert.True(order.IndexOf($"/api/v1/namespaces/data/configmaps/{node}-config") < set);
        }
    }

    [Fact]
    public async Task The_applied_secret_holds_the_real_superuser_hash_and_no_placeholder()
    {
        await Up();

        var secret = _api.Objects["/api/v1/namespaces/data/secrets/db-dc1-1-secret"];
        var scyllaYaml = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]!["scylla.yaml"]!.GetValue<string>()));
        Assert.Matches(@"auth_superuser_salted_password: '\$6\$", scyllaYaml);
        Assert.DoesNotContain("@@", string.Concat(_api.Requests.Select(r => r.Body)));
    }

    [Fact]
    public async Task A_second_up_sends_nothing_and_destroy_deletes_every_object()
    {
        await Up();
        var before = _api.Requests.Count;

        var second = await Up();
        var destroy = await Run((e, s, _) => e.DestroyAsync(s.State, s));

        Assert.False(second.HasChanges);
        Assert.Equal(before, _api.Requests.Take(before).Count());
        Assert.DoesNotContain(_api.Requests.Skip(before), r => r.Method == "PATCH");
        Assert.True(destroy.Succeeded, string.Join("\n", destroy.Outcomes.Where(o => o.Error is not null).Select(o => o.Step.Name + ": " + o.Error)));
        Assert.Empty(_api.Objects);
    }

    [Fact]
    public async Task Refresh_notices_an_object_deleted_outside_and_the_next_up_recreates_it()
    {
        await Up();
        _api.Objects.TryRemove("/api/v1/namespaces/data/services/db-dc1-2", out _);

        var drift = await Run((e, s, _) => e.RefreshAsync(s));
        await Up();

        Assert.Contains(drift.Outcomes, o => o.Step.Name.EndsWith("Service/data/db-dc1-2", StringComparison.Ordinal) && o.Step.Reason!.StartsWith("gone", StringComparison.Ordinal));
        Assert.True(_api.Objects.ContainsKey("/api/v1/namespaces/data/services/db-dc1-2"));
    }
}
