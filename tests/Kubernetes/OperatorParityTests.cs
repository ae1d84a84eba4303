using System.Text.Json.Nodes;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Kubernetes;

namespace ScyllaApocryph.Tests.Kubernetes;

/// <summary>What scylla-operator puts in a ScyllaDB pod (pkg/controller/scylladbdatacenter/resource.go), applied here.</summary>
public sealed class OperatorParityTests : IDisposable
{
    private readonly KubernetesHarness _k = new();

    public OperatorParityTests() => _k.Nodes = 1;

    public void Dispose() => _k.Dispose();

    private async Task<JsonObject> AppliedStatefulSet()
    {
        var up = await _k.Up();
        Assert.True(up.Succeeded, KubernetesHarness.Errors(up));
        return _k.Api.Get("StatefulSet", "data", "db-dc1-0")!;
    }

    private static JsonObject Scylla(JsonObject set) =>
        set["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "scylla")!.AsObject();

    [Fact]
    public async Task The_database_container_gets_CAP_SYS_NICE_startup_and_liveness_probes_and_a_drain_then_sleep_preStop()
    {
        var scylla = Scylla(await AppliedStatefulSet());

        Assert.Equal(["SYS_NICE"], scylla["securityContext"]!["capabilities"]!["add"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(40, scylla["startupProbe"]!["failureThreshold"]!.GetValue<int>());
        Assert.Equal(12, scylla["livenessProbe"]!["failureThreshold"]!.GetValue<int>());
        Assert.Contains("/storage_service/hostid/local", scylla["livenessProbe"]!["exec"]!["command"]!.AsArray().Last()!.GetValue<string>());
        var preStop = scylla["lifecycle"]!["preStop"]!["exec"]!["command"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Equal("nodetool -h 127.0.0.1 drain & sleep 15 & wait", preStop[^1]);
    }

    [Fact]
    public async Task Nodes_of_a_datacenter_prefer_different_machines_and_zones_and_never_refuse_to_schedule()
    {
        var set = await AppliedStatefulSet();
        var pod = set["spec"]!["template"]!["spec"]!;

        Assert.Equal(Operator.MinReadySeconds, set["spec"]!["minReadySeconds"]!.GetValue<int>());
        var anti = pod["affinity"]!["podAntiAffinity"]!.AsObject();
        Assert.False(anti.ContainsKey("requiredDuringSchedulingIgnoredDuringExecution"));
        var term = anti["preferredDuringSchedulingIgnoredDuringExecution"]![0]!["podAffinityTerm"]!;
        Assert.Equal("kubernetes.io/hostname", term["topologyKey"]!.GetValue<string>());
        Assert.Equal("dc1", term["labelSelector"]!["matchLabels"]!["scylla-apocryph/datacenter"]!.GetValue<string>());
        var spread = pod["topologySpreadConstraints"]![0]!;
        Assert.Equal(("topology.kubernetes.io/zone", "ScheduleAnyway"), (spread["topologyKey"]!.GetValue<string>(), spread["whenUnsatisfiable"]!.GetValue<string>()));
        Assert.Null(pod["priorityClassName"]);
    }

    [Fact]
    public async Task A_priority_class_is_set_on_the_pods_when_the_provider_names_one()
    {
        _k.ProviderSettings["priorityClass"] = "scylla-critical";

        var set = await AppliedStatefulSet();

        Assert.Equal("scylla-critical", set["spec"]!["template"]!["spec"]!["priorityClassName"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_node_setup_DaemonSet_exists_only_when_asked_for_and_raises_aio_max_nr_only_if_lower()
    {
        await AppliedStatefulSet();
        var without = _k.Api.Keys("DaemonSet");
        _k.ProviderSettings["nodeSetup"] = "true";

        await AppliedStatefulSet();
        var ds = _k.Api.Get("DaemonSet", "data", "db-node-setup")!;

        Assert.Empty(without);
        var init = ds["spec"]!["template"]!["spec"]!["initContainers"]![0]!;
        Assert.True(init["securityContext"]!["privileged"]!.GetValue<bool>());
        Assert.Contains("-ge 1048576 ] || sysctl -w fs.aio-max-nr=1048576", init["command"]!.AsArray().Last()!.GetValue<string>());
        Assert.Contains(_k.Progress, l => l.StartsWith("DaemonSet data/db-node-setup: ready", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("awaitTimeout", "ten minutes", "scylla-apocryph:providers.kube.awaitTimeout: 'ten minutes' is not a duration")]
    [InlineData("skipAwait", "yes", "scylla-apocryph:providers.kube.skipAwait: must be true or false, got 'yes'")]
    [InlineData("nodeSetup", "1", "scylla-apocryph:providers.kube.nodeSetup: must be true or false, got '1'")]
    [InlineData("priorityClass", "Not_A_Name", "scylla-apocryph:providers.kube.priorityClass: 'Not_A_Name' is not a valid PriorityClass name")]
    public void A_bad_await_or_placement_setting_is_an_error_naming_its_key(string key, string value, string error)
    {
        _k.ProviderSettings[key] = value;

        var (errors, _) = ClusterRules.Check(_k.Stack(), "scylla-apocryph");

        Assert.Contains(errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("v1.28.9", false)]
    [InlineData("v1.29.0", true)]
    [InlineData("v1.31.2-gke.1200", true)]
    public async Task Preview_refuses_native_sidecars_on_a_server_older_than_1_29(string serverVersion, bool accepted)
    {
        _k.Security = SecurityMode.Nebula; // the Nebula container runs as a native sidecar
        _k.ProviderSettings["publicHost"] = "192.168.49.2";
        _k.Api.ServerVersion = serverVersion;

        var preview = await _k.Preview();

        var refused = preview.Outcomes.Where(o => o.Error is not null).ToList();
        if (accepted)
        {
            Assert.Empty(refused);
            return;
        }
        var failure = Assert.Single(refused);
        Assert.EndsWith("StatefulSet/data/db-dc1-0", failure.Step.Name);
        Assert.Contains("the init container(s) nebula run as native sidecars (restartPolicy: Always), which need Kubernetes 1.29 or later; this cluster's API server is 1.28", failure.Error);
        Assert.DoesNotContain(_k.Api.Requests, r => r.Method is "PATCH" or "PUT" or "DELETE");
    }
}
