using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Providers.Kubernetes;
using ScyllaApocryph.Tests.Doubles.Kubernetes;

namespace ScyllaApocryph.Tests.Kubernetes;

/// <summary>
/// Destroy on Kubernetes never loses data by deleting a namespace, and deletes volume claims only when asked to.
/// The claims are the ones the double's StatefulSet controller makes from the volume claim template; deleting a
/// namespace would take them with it (the double's namespace controller, as Kubernetes does).
/// </summary>
public sealed class NamespaceDestroyTests : IDisposable
{
    private readonly KubernetesHarness _k = new() { Nodes = 1 };

    public void Dispose() => _k.Dispose();

    private KubernetesApiDouble Api => _k.Api;

    private static void Succeeded(DeploymentResult result) => Assert.True(result.Succeeded, KubernetesHarness.Errors(result));

    private async Task Destroy(bool deleteData)
    {
        _k.DeleteData = deleteData;
        Succeeded(await _k.Destroy());
        // Let the controllers finish what the deletes started (garbage collection, namespace content, pods stopping).
        _k.Time.Advance(TimeSpan.FromMinutes(1));
        Api.Reconcile();
    }

    [Fact]
    public async Task Destroy_keeps_the_volume_claims_and_so_the_namespace_that_holds_them()
    {
        Succeeded(await _k.Up());
        var claims = Api.Keys("PersistentVolumeClaim");
        Assert.NotEmpty(claims);

        await Destroy(deleteData: false);

        Assert.Equal(claims, Api.Keys("PersistentVolumeClaim"));
        Assert.True(Api.Exists("Namespace", null, "data"));
        Assert.Null(Api.Get("Namespace", null, "data")!["metadata"]?["deletionTimestamp"]);
        Assert.Empty(Api.Keys("StatefulSet"));
    }

    [Fact]
    public async Task Destroy_with_delete_data_deletes_the_stacks_claims_and_then_the_namespace_it_created()
    {
        Succeeded(await _k.Up());
        var claim = Assert.Single(Api.Keys("PersistentVolumeClaim"));

        await Destroy(deleteData: true);

        Assert.Contains(Api.Requests, r => r.Method == "DELETE" && r.Path == $"/api/v1/namespaces/data/persistentvolumeclaims/{claim.Name}");
        Assert.Contains(Api.Requests, r => r.Method == "DELETE" && r.Path == "/api/v1/namespaces/data");
        Assert.Empty(Api.Keys("PersistentVolumeClaim"));
        Assert.False(Api.Exists("Namespace", null, "data"));
    }

    [Theory]
    [InlineData("dev", true)]
    [InlineData("prod", false)]
    [InlineData("", false)]
    public async Task Under_Pulumi_the_environment_must_name_the_stack_for_destroy_to_delete_its_claims(string variable, bool deleted)
    {
        _k.DeleteDataOf = DataDeletionRequest.FromEnvironment(name => name == DataDeletionRequest.Variable ? variable : null);
        Succeeded(await _k.Up());
        var claims = Api.Keys("PersistentVolumeClaim");
        Assert.NotEmpty(claims);

        await Destroy(deleteData: false);

        Assert.Equal(deleted, Api.Keys("PersistentVolumeClaim").Count == 0);
        Assert.Equal(deleted, !Api.Exists("Namespace", null, "data"));
    }

    [Fact]
    public async Task A_namespace_that_existed_before_up_is_never_deleted()
    {
        Assert.Equal(201, Api.ApplyAs("kubectl", "Namespace", null, "data", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"data"}}""").Code);
        Succeeded(await _k.Up());

        await Destroy(deleteData: true);

        Assert.True(Api.Exists("Namespace", null, "data"));
        Assert.DoesNotContain(Api.Requests, r => r.Method == "DELETE" && r.Path == "/api/v1/namespaces/data");
    }

    [Fact]
    public async Task A_namespace_holding_an_object_the_stack_does_not_own_is_kept_with_that_object()
    {
        Succeeded(await _k.Up());
        Assert.Equal(201, Api.ApplyAs("kubectl", "ConfigMap", "data", "another-app",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"another-app","namespace":"data"}}""").Code);

        await Destroy(deleteData: true);

        Assert.True(Api.Exists("ConfigMap", "data", "another-app"));
        Assert.True(Api.Exists("Namespace", null, "data"));
    }
}
