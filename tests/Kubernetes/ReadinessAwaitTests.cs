using k8s;
using k8s.Models;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Kubernetes;
using ScyllaApocryph.Tests.Doubles.Kubernetes;

namespace ScyllaApocryph.Tests.Kubernetes;

/// <summary>up waits as pulumi-kubernetes does, on the double's fake clock: no test here depends on wall-clock time.</summary>
public sealed class ReadinessAwaitTests : IDisposable
{
    private readonly KubernetesHarness _k = new();

    public void Dispose() => _k.Dispose();

    private TimeSpan Elapsed(DateTimeOffset start) => _k.Time.GetUtcNow() - start;

    [Fact]
    public async Task Up_ends_only_once_every_node_is_ready_and_says_what_each_pod_waits_on()
    {
        _k.Api.Kubelet = pod => PodScript.ReadyAfter(TimeSpan.FromSeconds(pod == "db-dc1-2-0" ? 300 : 60));
        var start = _k.Time.GetUtcNow();

        var result = await _k.Up();

        Assert.True(result.Succeeded, KubernetesHarness.Errors(result));
        // minReadySeconds counts too: a pod is available 5 s after it became ready.
        Assert.True(Elapsed(start) >= TimeSpan.FromSeconds(305), $"up ended after {Elapsed(start)}");
        foreach (var node in new[] { "db-dc1-0", "db-dc1-1", "db-dc1-2" })
        {
            var set = _k.Api.Get("StatefulSet", "data", node)!;
            Assert.Equal(1, set["status"]!["readyReplicas"]!.GetValue<int>());
        }
        Assert.Contains(_k.Progress, l => l.StartsWith("StatefulSet data/db-dc1-2: waiting: [1/2] waiting for pods (0/1 pods ready)", StringComparison.Ordinal)
            && l.Contains("pod db-dc1-2-0: ContainersNotReady (containers with unready status: [scylla])", StringComparison.Ordinal));
        Assert.Contains(_k.Progress, l => l.StartsWith("StatefulSet data/db-dc1-2: ready (1/1 pods ready, revision db-dc1-2-", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string> StuckPods => new()
    {
        { "ImagePullBackOff", "Back-off pulling image", "(last event: Warning Failed: Failed to pull image scylladb/scylla:2025.1.4: not found)" },
        { "CrashLoopBackOff", "back-off 40s restarting failed container=scylla", "(last event: Warning BackOff: Back-off restarting failed container)" },
        { "Unschedulable", "0/1 nodes are available: 1 Insufficient memory.", "(last event: Warning FailedScheduling: 0/1 nodes are available" },
    };

    [Theory]
    [MemberData(nameof(StuckPods))]
    public async Task A_stuck_pod_fails_its_step_naming_the_reason_and_last_event_long_before_the_timeout(string reason, string message, string lastEvent)
    {
        _k.Api.Kubelet = pod => pod != "db-dc1-1-0" ? PodScript.ReadyAfter(TimeSpan.FromSeconds(30)) : reason switch
        {
            "ImagePullBackOff" => PodScript.ImagePullBackOff,
            "CrashLoopBackOff" => PodScript.CrashLoopBackOff,
            _ => PodScript.Unschedulable(message),
        };
        var start = _k.Time.GetUtcNow();

        var result = await _k.Up();

        Assert.False(result.Succeeded);
        var failed = Assert.Single(result.Outcomes, o => o.Error is not null && o.Step.Name.EndsWith("StatefulSet/data/db-dc1-1", StringComparison.Ordinal));
        Assert.Contains($"pod db-dc1-1-0: {reason}", failed.Error);
        Assert.Contains(message, failed.Error);
        Assert.True(failed.Error!.Contains(lastEvent, StringComparison.Ordinal), failed.Error);
        Assert.True(Elapsed(start) < TimeSpan.FromMinutes(4), $"failed only after {Elapsed(start)}");
        // The other nodes are not held back by the stuck one.
        Assert.Contains(result.Outcomes, o => o.Error is null && o.Step.Name.EndsWith("StatefulSet/data/db-dc1-0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pod_that_never_becomes_ready_fails_at_the_providers_await_timeout()
    {
        _k.ProviderSettings["awaitTimeout"] = "3m";
        _k.Nodes = 1;
        _k.Api.Kubelet = _ => PodScript.NeverReady;
        var start = _k.Time.GetUtcNow();

        var result = await _k.Up();

        var failed = Assert.Single(result.Outcomes, o => o.Error is not null && o.Step.Name.EndsWith("StatefulSet/data/db-dc1-0", StringComparison.Ordinal));
        Assert.Contains("StatefulSet data/db-dc1-0 was not ready within 3 minutes", failed.Error);
        Assert.Contains("ContainersNotReady", failed.Error);
        Assert.InRange(Elapsed(start), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task With_skipAwait_up_ends_as_soon_as_the_objects_are_accepted()
    {
        _k.ProviderSettings["skipAwait"] = "true";
        _k.Api.Kubelet = _ => PodScript.NeverReady;
        var start = _k.Time.GetUtcNow();

        var result = await _k.Up();

        Assert.True(result.Succeeded, KubernetesHarness.Errors(result));
        Assert.Equal(TimeSpan.Zero, Elapsed(start));
        Assert.Empty(_k.Progress);
    }

    [Fact]
    public async Task A_claim_that_cannot_bind_keeps_its_pod_unscheduled_and_the_failure_names_the_claim()
    {
        _k.ProviderSettings["storageClass"] = "fast-ssd"; // no such class in this cluster
        _k.Nodes = 1;

        var result = await _k.Up();

        var failed = Assert.Single(result.Outcomes, o => o.Error is not null);
        Assert.Contains("Unschedulable", failed.Error);
        Assert.Contains("pod has unbound immediate PersistentVolumeClaims", failed.Error);
        Assert.Contains(_k.Progress, l => l.Contains("claim data-db-dc1-0-0: Pending (last event: Warning ProvisioningFailed: storageclass.storage.k8s.io \"fast-ssd\" not found)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_claim_on_a_WaitForFirstConsumer_class_is_ready_pending_and_one_that_cannot_provision_waits()
    {
        _k.Api.StorageClasses["local"] = "WaitForFirstConsumer";
        var provider = _k.Provider();
        await _k.Api.Client().CoreV1.PatchNamespaceAsync(new V1Patch("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"data\"}}", V1Patch.PatchType.ApplyPatch), "data", fieldManager: "setup");

        var waiting = await provider.CreateAsync(Claim("waits", "local", timeoutSeconds: 60), CancellationToken.None);
        var start = _k.Time.GetUtcNow();
        var failure = await Assert.ThrowsAsync<TimeoutException>(() => provider.CreateAsync(Claim("never", "missing", timeoutSeconds: 60), CancellationToken.None));

        Assert.Equal("data/waits", waiting.Id);
        Assert.Equal("Pending", _k.Api.Get("PersistentVolumeClaim", "data", "waits")!["status"]!["phase"]!.GetValue<string>());
        Assert.Contains(_k.Progress, l => l == "PersistentVolumeClaim data/waits: ready (Pending, waiting for its first consumer)");
        Assert.Contains("ProvisioningFailed", failure.Message);
        Assert.True(Elapsed(start) >= TimeSpan.FromSeconds(60));
    }

    private static CreateRequest Claim(string name, string storageClass, int timeoutSeconds)
    {
        var manifest = KubernetesJson.Serialize(new V1PersistentVolumeClaim
        {
            ApiVersion = "v1", Kind = "PersistentVolumeClaim",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "data" },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"], StorageClassName = storageClass,
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
            },
        });
        var inputs = PropertyMap.Of(("apiVersion", "v1"), ("kind", "PersistentVolumeClaim"), ("name", name), ("namespace", "data"),
            ("manifest", manifest), ("awaitTimeoutSeconds", timeoutSeconds));
        return new CreateRequest(new Urn($"urn:pulumi:dev::p::kubernetes:core/v1:PersistentVolumeClaim::{name}"), "kubernetes:core/v1:PersistentVolumeClaim", inputs);
    }
}
