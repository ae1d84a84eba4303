using System.Text.Json.Nodes;
using k8s;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Providers;
using ScyllaApocryph.Providers.Kubernetes;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Kubernetes;

/// <summary>Destroy on Kubernetes never loses data by deleting a namespace, and deletes volume claims only when asked to.</summary>
public sealed class NamespaceDestroyTests : IDisposable
{
    private const string Namespace = "/api/v1/namespaces/data";
    private const string Claim = Namespace + "/persistentvolumeclaims/data-db-dc1-0-0";
    private readonly FakeKubernetesApi _api = new();
    private readonly string _state = Directory.CreateTempSubdirectory("k8s-ns-").FullName;

    public void Dispose() => Directory.Delete(_state, true);

    private async Task<DeploymentResult> Run(bool destroy, bool deleteData = false)
    {
        var cluster = new ClusterSpec("db", "scylladb/scylla:2025.1.4", SecurityMode.Tls, new NodeResources(2, 4L << 30, 20L << 30),
            [new DatacenterSpec("dc1", "kube", 1)]) { AllowFragileTopology = true };
        var stack = new StackSpec("dev", "scylla-apocryph", cluster,
            [new ProviderSpec("kube", ProviderKind.Kubernetes, new Dictionary<string, string> { ["context"] = "minikube", ["namespace"] = "data" })]);
        var graph = new ResourceGraph("dev", "scylla-apocryph");
        ScyllaCluster.Declare(graph, stack);
        var kube = new KubernetesProvider(() => new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://kubernetes.test" }, _api)) { DeleteData = deleteData };
        using var store = StateStore.Open(_state, PassphraseCipher.Open(_state, "p", 1000));
        var engine = new DeploymentEngine(BuiltInProviders.Registry().Add("kube", kube));
        var result = destroy ? await engine.DestroyAsync(store.State, store) : await engine.UpAsync(graph, store);
        Assert.True(result.Succeeded, string.Join("\n", result.Outcomes.Where(o => o.Error is not null).Select(o => o.Step.Name + ": " + o.Error)));
        return result;
    }

    /// <summary>What the StatefulSet controller makes from the volume claim template (labels copied from it).</summary>
    private void ClaimMadeByTheStatefulSetController() =>
        _api.Objects[Claim] = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data-db-dc1-0-0","namespace":"data",
             "labels":{"app.kubernetes.io/managed-by":"scylla-apocryph"}},"spec":{"resources":{"requests":{"storage":"20Gi"}}}}
            """)!.AsObject();

    [Fact]
    public async Task Destroy_keeps_the_volume_claims_and_so_the_namespace_that_holds_them()
    {
        await Run(destroy: false);
        ClaimMadeByTheStatefulSetController();

        await Run(destroy: true);

        Assert.True(_api.Objects.ContainsKey(Claim));
        Assert.True(_api.Objects.ContainsKey(Namespace));
        Assert.DoesNotContain(_api.Objects.Keys, k => k.Contains("/statefulsets/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Destroy_with_delete_data_deletes_the_stacks_claims_and_then_the_namespace_it_created()
    {
        await Run(destroy: false);
        ClaimMadeByTheStatefulSetController();

        await Run(destroy: true, deleteData: true);

        Assert.Empty(_api.Objects);
        Assert.Contains(_api.Requests, r => r.Method == "DELETE" && r.Path == Claim);
    }

    [Fact]
    public async Task A_namespace_that_existed_before_up_is_never_deleted()
    {
        _api.Objects[Namespace] = JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"data"}}""")!.AsObject();
        await Run(destroy: false);

        await Run(destroy: true, deleteData: true);

        Assert.True(_api.Objects.ContainsKey(Namespace));
        Assert.DoesNotContain(_api.Requests, r => r.Method == "DELETE" && r.Path == Namespace);
    }

    [Fact]
    public async Task A_namespace_holding_an_object_the_stack_does_not_own_is_kept_with_that_object()
    {
        await Run(destroy: false);
        var other = Namespace + "/configmaps/another-app";
        _api.Objects[other] = JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"another-app","namespace":"data"}}""")!.AsObject();

        await Run(destroy: true);

        Assert.True(_api.Objects.ContainsKey(other));
        Assert.True(_api.Objects.ContainsKey(Namespace));
    }
}
