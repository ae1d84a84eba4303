using System.Text.Json.Nodes;

namespace ScyllaApocryph.Tests.Kubernetes;

/// <summary>Drift is what changed in the fields this program owns; controllers' status is never drift.</summary>
public sealed class DriftTests : IDisposable
{
    private readonly KubernetesHarness _k = new();

    public DriftTests() => _k.Nodes = 1;

    public void Dispose() => _k.Dispose();

    private const string Set = "db-dc1-0";

    private static JsonObject Scylla(JsonObject set) =>
        set["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "scylla")!.AsObject();

    [Fact]
    public async Task Status_written_by_controllers_and_kubelets_is_never_drift()
    {
        _k.Api.Kubelet = _ => Doubles.Kubernetes.PodScript.ReadyAfter(TimeSpan.FromSeconds(30));
        await _k.Up();
        var before = _k.Api.Get("StatefulSet", "data", Set)!["metadata"]!["resourceVersion"]!.GetValue<string>();
        // Time passes, the controllers write status again (a pod restarts, the kubelet reports it).
        _k.Api.Kubelet = _ => Doubles.Kubernetes.PodScript.CrashLoopBackOff;
        _k.Time.Advance(TimeSpan.FromMinutes(5));
        var after = _k.Api.Get("StatefulSet", "data", Set)!;

        var refresh = await _k.Refresh();

        Assert.NotEqual(before, after["metadata"]!["resourceVersion"]!.GetValue<string>()); // status did change
        Assert.Contains(after["metadata"]!["managedFields"]!.AsArray(), e => e!["subresource"]?.GetValue<string>() == "status");
        Assert.True(refresh.Succeeded, KubernetesHarness.Errors(refresh));
        Assert.All(refresh.Outcomes, o => Assert.Empty(o.Step.Changes));
    }

    [Fact]
    public async Task Refresh_shows_a_hand_edit_of_an_owned_field_and_up_takes_it_back()
    {
        await _k.Up();
        _k.Api.UpdateAs("kubectl-edit", "StatefulSet", "data", Set, s => Scylla(s)["image"] = "scylladb/scylla:6.2.0");

        var refresh = await _k.Refresh();
        var preview = await _k.Preview();
        var up = await _k.Up();
        var again = await _k.Preview();

        var drifted = Assert.Single(refresh.Outcomes, o => o.Step.Changes.Count > 0);
        Assert.EndsWith($"StatefulSet/data/{Set}", drifted.Step.Name);
        Assert.Equal("changed outside this program", drifted.Step.Reason);
        Assert.Contains(drifted.Step.Changes, c => c.Key == "takenBy");
        var planned = Assert.Single(preview.Outcomes, o => o.Step.Kind == ScyllaApocryph.Engine.Deployment.StepKind.Update);
        Assert.Contains(planned.Step.Notes, n => n.Contains("repairs drift (changed by kubectl-edit (Update)): .spec.template.spec.containers[name=scylla].image", StringComparison.Ordinal));
        Assert.True(up.Succeeded, KubernetesHarness.Errors(up));
        Assert.Contains(_k.Api.Requests, r => r.Method == "PATCH" && r.Path.EndsWith($"/statefulsets/{Set}", StringComparison.Ordinal) && r.Query.Contains("force=true", StringComparison.Ordinal));
        var live = _k.Api.Get("StatefulSet", "data", Set)!;
        Assert.Equal("scylladb/scylla:2025.1.4", Scylla(live)["image"]!.GetValue<string>());
        Assert.DoesNotContain(live["metadata"]!["managedFields"]!.AsArray(), e => e!["manager"]!.GetValue<string>() == "kubectl-edit");
        Assert.False(again.HasChanges);
    }

    [Fact]
    public async Task A_field_another_manager_added_beside_ours_is_not_drift()
    {
        await _k.Up();
        // Someone adds an annotation of their own: not a field this program applies.
        _k.Api.UpdateAs("kubectl-annotate", "StatefulSet", "data", Set, s => s["metadata"]!["annotations"] = new JsonObject { ["team"] = "db" });

        var refresh = await _k.Refresh();
        var preview = await _k.Preview();

        Assert.All(refresh.Outcomes, o => Assert.Empty(o.Step.Changes));
        Assert.False(preview.HasChanges);
    }

    [Fact]
    public async Task An_apply_that_conflicts_with_another_manager_fails_naming_field_and_manager_until_refresh_shows_it()
    {
        await _k.Up();
        _k.Api.UpdateAs("kubectl-scale", "StatefulSet", "data", Set, s => s["spec"]!["replicas"] = 2);
        _k.Api.Kubelet = _ => Doubles.Kubernetes.PodScript.ReadyAfter(TimeSpan.FromSeconds(10));
        _k.ProviderSettings["priorityClass"] = "database"; // a change this program makes to the same StatefulSet

        var conflicted = await _k.Up();
        var refresh = await _k.Refresh();
        var repaired = await _k.Up();

        var failed = Assert.Single(conflicted.Outcomes, o => o.Error is not null);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"kubectl-scale\" using apps/v1: .spec.replicas", failed.Error);
        Assert.Contains("run refresh to see the drift", failed.Error);
        Assert.Contains(refresh.Outcomes, o => o.Step.Changes.Count > 0);
        Assert.True(repaired.Succeeded, KubernetesHarness.Errors(repaired));
        var live = _k.Api.Get("StatefulSet", "data", Set)!;
        Assert.Equal(1, live["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("database", live["spec"]!["template"]!["spec"]!["priorityClassName"]!.GetValue<string>());
        Assert.Single(_k.Api.Keys("Pod"));
    }

    [Fact]
    public async Task The_live_view_of_a_secret_is_kept_secret_in_the_state()
    {
        await _k.Up();

        var refresh = await _k.Refresh();

        Assert.True(refresh.Succeeded, KubernetesHarness.Errors(refresh));
        var secret = _k.Api.Get("Secret", "data", $"{Set}-secret")!;
        var key = secret["data"]!["scylla.yaml"]!.GetValue<string>();
        Assert.False(_k.StateContains(key), "the Secret's data reached the state file in plaintext");
    }

    [Fact]
    public async Task Read_keeps_what_only_create_recorded_and_drops_resourceVersion()
    {
        await _k.Up();
        var provider = _k.Provider();
        var manifest = """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"data"}}""";
        var inputs = ScyllaApocryph.Engine.Values.PropertyMap.Of(("apiVersion", "v1"), ("kind", "Namespace"), ("name", "data"), ("manifest", manifest));
        var recorded = ScyllaApocryph.Engine.Values.PropertyMap.Of(("uid", "u"), ("resourceVersion", "7"), ("createdByStack", true));

        var read = await provider.ReadAsync(new ScyllaApocryph.Engine.Providers.ReadRequest(
            new ScyllaApocryph.Engine.Resources.Urn("urn:pulumi:dev::p::kubernetes:core/v1:Namespace::data"), "kubernetes:core/v1:Namespace", "data", inputs, recorded), CancellationToken.None);

        Assert.Equal(true, read!.Outputs.Get("createdByStack")?.AsBool);
        Assert.Null(read.Outputs.Get("resourceVersion"));
        Assert.NotEqual("u", read.Outputs.GetString("uid"));
    }
}
