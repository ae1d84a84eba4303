using k8s;
using ScyllaApocryph.Tests.Doubles.Kubernetes;

namespace ScyllaApocryph.Tests.Kubernetes;

public sealed class KubernetesProviderTests : IDisposable
{
    private readonly KubernetesHarness _k = new();

    public void Dispose() => _k.Dispose();

    private KubernetesApiDouble Api => _k.Api;

    [Fact]
    public async Task Up_applies_every_object_with_server_side_apply()
    {
        var result = await _k.Up();

        Assert.True(result.Succeeded, KubernetesHarness.Errors(result));
        var patches = Api.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Equal(3 + 3 * 4, patches.Count);
        Assert.All(patches, p => Assert.Contains("fieldManager=scylla-apocryph", p.Query));
        Assert.All(patches, p => Assert.DoesNotContain("force=true", p.Query)); // nothing to take back from anyone
        Assert.True(Api.Exists("StatefulSet", "data", "db-dc1-0"));
        Assert.True(Api.Exists("Namespace", null, "data"));
        Assert.Empty(Api.Warnings); // every field is known to the KubernetesClient models
    }

    [Fact]
    public async Task The_namespace_comes_first_and_each_workload_after_the_configuration_it_mounts()
    {
        await _k.Up();

        var order = Api.Requests.Where(r => r.Method == "PATCH").Select(r => r.Path).ToList();
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
        await _k.Up();

        var secret = Api.Get("Secret", "data", "db-dc1-1-secret")!;
        var scyllaYaml = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]!["scylla.yaml"]!.GetValue<string>()));
        Assert.Matches(@"auth_superuser_salted_password: '\$6\$", scyllaYaml);
        Assert.DoesNotContain("@@", string.Concat(Api.Requests.Select(r => r.Body)));
    }

    [Fact]
    public async Task A_second_up_sends_nothing_and_destroy_deletes_every_object_it_applied()
    {
        await _k.Up();
        var before = Api.Requests.Count;

        var second = await _k.Up();
        var destroy = await _k.Destroy();

        Assert.False(second.HasChanges);
        Assert.DoesNotContain(Api.Requests.Skip(before), r => r.Method == "PATCH");
        Assert.True(destroy.Succeeded, KubernetesHarness.Errors(destroy));
        foreach (var kind in new[] { "StatefulSet", "Service", "ConfigMap", "Secret", "PodDisruptionBudget", "Pod" })
            Assert.Empty(Api.Keys(kind));
    }

    /// <summary>Issue 13's hazard: deleting the namespace would make the double's namespace controller and
    /// garbage collector remove the claims the StatefulSet controller made (as Kubernetes does).</summary>
    [Fact]
    public async Task Destroy_keeps_the_volume_claims_that_deleting_the_namespace_would_have_removed()
    {
        await _k.Up();
        Assert.Equal(3, Api.Keys("PersistentVolumeClaim").Count);

        var destroy = await _k.Destroy();
        _k.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.True(destroy.Succeeded, KubernetesHarness.Errors(destroy));
        Assert.Equal(3, Api.Keys("PersistentVolumeClaim").Count);
        Assert.Empty(Api.Keys("StatefulSet"));
    }

    [Fact]
    public async Task Destroy_with_delete_data_removes_the_volume_claims()
    {
        await _k.Up();
        _k.DeleteData = true;

        var destroy = await _k.Destroy();
        _k.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.True(destroy.Succeeded, KubernetesHarness.Errors(destroy));
        Assert.Empty(Api.Keys("PersistentVolumeClaim"));
    }

    [Fact]
    public async Task Refresh_notices_an_object_deleted_outside_and_the_next_up_recreates_it()
    {
        await _k.Up();
        await Api.Client().CoreV1.DeleteNamespacedServiceAsync("db-dc1-2", "data");

        var drift = await _k.Refresh();
        await _k.Up();

        Assert.Contains(drift.Outcomes, o => o.Step.Name.EndsWith("Service/data/db-dc1-2", StringComparison.Ordinal) && o.Step.Reason!.StartsWith("gone", StringComparison.Ordinal));
        Assert.True(Api.Exists("Service", "data", "db-dc1-2"));
    }
}
