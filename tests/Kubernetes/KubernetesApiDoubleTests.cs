using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using ScyllaApocryph.Tests.Doubles.Kubernetes;

namespace ScyllaApocryph.Tests.Kubernetes;

/// <summary>The double keeps the Kubernetes semantics its doc comments cite; KubernetesClient talks to it.</summary>
public sealed class KubernetesApiDoubleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly KubernetesApiDouble _api;
    private readonly IKubernetes _client;

    public KubernetesApiDoubleTests()
    {
        _api = new KubernetesApiDouble(_time);
        _client = _api.Client();
    }

    private static V1Patch Apply(string json) => new(json, V1Patch.PatchType.ApplyPatch);

    private async Task Namespace(string name = "data") =>
        await _client.CoreV1.PatchNamespaceAsync(Apply($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}"""), name, fieldManager: "setup");

    private static string ConfigMap(string data) => $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"data"},"data":{{{data}}}}""";

    private static string StatefulSet(string name, string image, string retention = "Retain", int replicas = 1) => """
        {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"NAME","namespace":"data"},
         "spec":{"replicas":REPLICAS,"serviceName":"s","selector":{"matchLabels":{"app":"NAME"}},
          "persistentVolumeClaimRetentionPolicy":{"whenDeleted":"RETENTION","whenScaled":"Retain"},
          "template":{"metadata":{"labels":{"app":"NAME"}},"spec":{"containers":[{"name":"scylla","image":"IMAGE"}]}},
          "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}]}}
        """
        .Replace("NAME", name, StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal)
        .Replace("RETENTION", retention, StringComparison.Ordinal).Replace("REPLICAS", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static string Message(HttpOperationException e) => JsonNode.Parse(e.Response.Content)!["message"]!.GetValue<string>();

    private static async Task<HttpOperationException> Refused(Func<Task> call) => await Assert.ThrowsAsync<HttpOperationException>(call);

    [Fact]
    public async Task An_object_in_a_namespace_that_does_not_exist_is_not_found()
    {
        var e = await Refused(() => _client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMap("{}")), "cm", "data", fieldManager: "me"));

        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
        Assert.Equal("namespaces \"data\" not found", Message(e));
    }

    [Fact]
    public async Task Apply_records_the_fields_each_manager_owns_and_a_second_manager_with_another_value_conflicts_unless_forced()
    {
        await Namespace();
        await _client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMap("""{"a":"1","b":"2"}""")), "cm", "data", fieldManager: "me");

        // Same value: shared ownership, no conflict. Another value: 409 naming field and manager.
        await _client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMap("""{"a":"1"}""")), "cm", "data", fieldManager: "other");
        var conflict = await Refused(() => _client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMap("""{"b":"3"}""")), "cm", "data", fieldManager: "other"));
        var forced = await _client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMap("""{"b":"3"}""")), "cm", "data", fieldManager: "other", force: true);

        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"me\" using v1: .data.b", Message(conflict));
        Assert.Equal("3", forced.Data["b"]);
        var owners = forced.Metadata.ManagedFields.ToDictionary(m => m.Manager, m => JsonNode.Parse(KubernetesJson.Serialize(m.FieldsV1))!.ToJsonString());
        Assert.Equal("""{"f:data":{"f:a":{}}}""", owners["me"]); // b moved to the forcing manager
        Assert.Equal("""{"f:data":{"f:b":{}}}""", owners["other"]); // "other" applied only b the last time: a is no longer its
    }

    [Fact]
    public async Task A_field_a_manager_stops_applying_is_removed_unless_another_manager_owns_it()
    {
        await Namespace();
        await _client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMap("""{"a":"1","b":"2","c":"3"}""")), "cm", "data", fieldManager: "me");
        await _client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMap("""{"c":"3"}""")), "cm", "data", fieldManager: "other");

        var after = await _client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMap("""{"a":"1"}""")), "cm", "data", fieldManager: "me");

        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["c"] = "3" }, after.Data);
    }

    [Fact]
    public async Task Containers_merge_by_name_so_two_managers_can_each_own_one()
    {
        await Namespace();
        await _client.AppsV1.PatchNamespacedStatefulSetAsync(Apply(StatefulSet("db", "scylla:1")), "db", "data", fieldManager: "me");
        var sidecar = """
            {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db","namespace":"data"},
             "spec":{"template":{"spec":{"containers":[{"name":"agent","image":"agent:1"}]}}}}
            """;

        var merged = await _client.AppsV1.PatchNamespacedStatefulSetAsync(Apply(sidecar), "db", "data", fieldManager: "injector");
        var reapplied = await _client.AppsV1.PatchNamespacedStatefulSetAsync(Apply(StatefulSet("db", "scylla:2")), "db", "data", fieldManager: "me");

        Assert.Equal(["scylla", "agent"], merged.Spec.Template.Spec.Containers.Select(c => c.Name));
        Assert.Equal(["scylla:2", "agent:1"], reapplied.Spec.Template.Spec.Containers.Select(c => c.Image));
        Assert.Equal(3, reapplied.Metadata.Generation); // two spec changes since creation
    }

    [Fact]
    public async Task An_update_with_a_stale_resourceVersion_is_a_conflict()
    {
        await Namespace();
        var first = await _client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMap("""{"a":"1"}""")), "cm", "data", fieldManager: "me");
        first.Data["a"] = "2";
        await _client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "cm", "data", fieldManager: "editor");

        first.Data["a"] = "3"; // still carries the old resourceVersion
        var stale = await Refused(() => _client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "cm", "data", fieldManager: "editor"));

        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
        Assert.Contains("the object has been modified", Message(stale));
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_refused_and_an_unknown_field_is_a_warning()
    {
        await Namespace();

        var wrongType = await Refused(() => _client.AppsV1.PatchNamespacedStatefulSetAsync(
            Apply(StatefulSet("db", "x").Replace("\"replicas\":1", "\"replicas\":\"one\"", StringComparison.Ordinal)), "db", "data", fieldManager: "me"));
        await _client.CoreV1.PatchNamespacedConfigMapAsync(Apply("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"datta":{"a":"1"}}"""), "cm", "data", fieldManager: "me");

        Assert.Equal(HttpStatusCode.BadRequest, wrongType.Response.StatusCode);
        Assert.Contains("unknown field \"datta.a\"", _api.Warnings);
    }

    [Fact]
    public async Task The_StatefulSet_controller_creates_pods_and_claims_and_rolls_a_new_template_out()
    {
        await Namespace();
        _api.Kubelet = _ => PodScript.ReadyAfter(TimeSpan.FromSeconds(30));
        await _client.AppsV1.PatchNamespacedStatefulSetAsync(Apply(StatefulSet("db", "scylla:1", replicas: 2)), "db", "data", fieldManager: "me");

        var starting = await _client.AppsV1.ReadNamespacedStatefulSetAsync("db", "data");
        _time.Advance(TimeSpan.FromSeconds(30)); // db-0 ready, so OrderedReady creates db-1
        _time.Advance(TimeSpan.FromSeconds(30));
        var ready = await _client.AppsV1.ReadNamespacedStatefulSetAsync("db", "data");
        await _client.AppsV1.PatchNamespacedStatefulSetAsync(Apply(StatefulSet("db", "scylla:2", replicas: 2)), "db", "data", fieldManager: "me");
        var rolling = await _client.AppsV1.ReadNamespacedStatefulSetAsync("db", "data");
        for (var i = 0; i < 4; i++) _time.Advance(TimeSpan.FromSeconds(30));
        var rolled = await _client.AppsV1.ReadNamespacedStatefulSetAsync("db", "data");

        Assert.Equal((1, 0), (starting.Status.Replicas, starting.Status.ReadyReplicas ?? 0)); // only db-0 until it is ready
        Assert.Equal((2, 2), (ready.Status.Replicas, ready.Status.ReadyReplicas ?? 0));
        Assert.Equal(ready.Status.CurrentRevision, ready.Status.UpdateRevision);
        Assert.NotEqual(rolling.Status.UpdateRevision, rolling.Status.CurrentRevision);
        Assert.Equal(rolled.Status.UpdateRevision, rolled.Status.CurrentRevision);
        Assert.Equal(2, rolled.Status.UpdatedReplicas);
        var claims = await _client.CoreV1.ListNamespacedPersistentVolumeClaimAsync("data");
        Assert.Equal(["data-db-0", "data-db-1"], claims.Items.Select(c => c.Metadata.Name));
        Assert.All(claims.Items, c => Assert.Equal("Bound", c.Status.Phase));
        var pod = await _client.CoreV1.ReadNamespacedPodAsync("db-1", "data");
        Assert.Contains("scylla:2", pod.Spec.Containers.Select(c => c.Image));
    }

    [Theory]
    [InlineData("Retain", true)]
    [InlineData("Delete", false)]
    public async Task Deleting_a_StatefulSet_keeps_its_claims_unless_its_retention_policy_says_Delete(string whenDeleted, bool kept)
    {
        await Namespace();
        await _client.AppsV1.PatchNamespacedStatefulSetAsync(Apply(StatefulSet("db", "scylla:1", whenDeleted)), "db", "data", fieldManager: "me");
        Assert.True(_api.Exists("PersistentVolumeClaim", "data", "data-db-0"));

        await _client.AppsV1.DeleteNamespacedStatefulSetAsync("db", "data");

        Assert.False(_api.Exists("Pod", "data", "db-0")); // garbage collected with its owner
        Assert.Equal(kept, _api.Exists("PersistentVolumeClaim", "data", "data-db-0"));
    }

    [Fact]
    public async Task Deleting_a_namespace_terminates_it_and_cascades_to_everything_in_it_including_claims()
    {
        await Namespace();
        await _client.AppsV1.PatchNamespacedStatefulSetAsync(Apply(StatefulSet("db", "scylla:1")), "db", "data", fieldManager: "me");
        // A finalizer someone else holds keeps the namespace Terminating until it is released.
        await _client.CoreV1.PatchNamespacedConfigMapAsync(Apply("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","namespace":"data","finalizers":["example.com/hold"]}}"""), "held", "data", fieldManager: "other");

        await _client.CoreV1.DeleteNamespaceAsync("data");
        var terminating = await _client.CoreV1.ReadNamespaceAsync("data");
        var refused = await Refused(() => _client.CoreV1.PatchNamespacedConfigMapAsync(Apply(ConfigMap("{}")), "cm", "data", fieldManager: "me"));
        var held = await _client.CoreV1.ReadNamespacedConfigMapAsync("held", "data");
        var claimsWhileHeld = _api.Keys("PersistentVolumeClaim");
        held.Metadata.Finalizers = [];
        await _client.CoreV1.ReplaceNamespacedConfigMapAsync(held, "held", "data", fieldManager: "other");

        Assert.Equal("Terminating", terminating.Status.Phase);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        Assert.NotNull(held.Metadata.DeletionTimestamp);
        Assert.Empty(claimsWhileHeld); // the data volume's claim went with the namespace: Retain does not protect it
        Assert.Empty(_api.Keys());
    }

    [Fact]
    public async Task A_claim_in_use_stays_terminating_until_its_pod_is_gone()
    {
        await Namespace();
        await _client.AppsV1.PatchNamespacedStatefulSetAsync(Apply(StatefulSet("db", "scylla:1")), "db", "data", fieldManager: "me");

        await _client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync("data-db-0", "data");
        var inUse = await _client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("data-db-0", "data");
        await _client.AppsV1.PatchNamespacedStatefulSetAsync(Apply(StatefulSet("db", "scylla:1", replicas: 0)), "db", "data", fieldManager: "me");

        Assert.NotNull(inUse.Metadata.DeletionTimestamp);
        Assert.Contains("kubernetes.io/pvc-protection", inUse.Metadata.Finalizers);
        Assert.False(_api.Exists("PersistentVolumeClaim", "data", "data-db-0"));
    }
}
