using System.Net;
using ScyllaApocryph.Components.Autoscaler;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Autoscaler;

public sealed class AutoscalerRegistrationTests
{
    private const string A = "http://10.0.0.1:30080";
    private const string B = "http://10.0.0.2:30080";
    private const string C = "http://10.0.0.3:30080";

    private static readonly Urn Urn = Urn.Create("dev", "scylla", null, RegistrationProvider.Type, "autoscaler");

    private static PropertyMap Inputs(string endpoint, params string[] servers) => PropertyMap.Of(
        ("endpoint", endpoint), ("nodeGateway", "http://gw"), ("servers", PropertyValue.Array(servers.Select(s => (PropertyValue)s))));

    private static RegistrationProvider Provider(FakeAutoscalerConnect fake) =>
        new(uri => new AutoscalerConnectClient(new HttpClient(fake), uri));

    [Fact]
    public async Task Registration_connects_every_listed_instance_through_the_endpoint()
    {
        var fake = new FakeAutoscalerConnect(A, B, C);

        var created = await Provider(fake).CreateAsync(new CreateRequest(Urn, RegistrationProvider.Type, Inputs(A, A, B, C)), default);

        Assert.True(fake.Started(A) && fake.Started(B) && fake.Started(C));
        var call = Assert.Single(fake.ConnectCalls);
        Assert.Equal(3, call.GetProperty("servers").GetArrayLength());
        Assert.Equal(true, created.Outputs.Get("connected")!.AsBool);
        Assert.Equal(false, created.Outputs.Get("alreadyStarted")!.AsBool);
    }

    [Fact]
    public async Task A_second_connect_cluster_is_refused_upstream_and_registration_takes_it_as_already_connected()
    {
        var fake = new FakeAutoscalerConnect(A, B, C);
        var client = new AutoscalerConnectClient(new HttpClient(fake), new Uri(A));
        var request = new ConnectClusterRequest("http://gw", [A, B, C], 30);
        Assert.True((await client.ConnectClusterAsync(request, default)).Success);
        var again = await client.ConnectClusterAsync(request, default);
        Assert.False(again.Success); // upstream is not idempotent
        Assert.Equal("Server Already Started\n", again.Error);

        var provider = Provider(fake);
        // Create, and Create re-driven after a crash, and Update all meet a started autoscaler.
        var created = await provider.CreateAsync(new CreateRequest(Urn, RegistrationProvider.Type, Inputs(A, A, B, C)), default);
        var replayed = await provider.CreateAsync(new CreateRequest(Urn, RegistrationProvider.Type, Inputs(A, A, B, C)), default);
        var updated = await provider.UpdateAsync(new UpdateRequest(Urn, RegistrationProvider.Type, A, Inputs(A, A, B, C), created.Outputs,
            Inputs(A, A, B, C).With("timeoutSeconds", 60)), default);

        foreach (var outputs in new[] { created.Outputs, replayed.Outputs, updated.Outputs })
        {
            Assert.Equal(true, outputs.Get("connected")!.AsBool);
            Assert.Equal(true, outputs.Get("alreadyStarted")!.AsBool);
        }
    }

    [Fact]
    public async Task An_instance_started_by_another_instances_trigger_counts_as_connected()
    {
        var fake = new FakeAutoscalerConnect(A, B, C);
        await Provider(fake).CreateAsync(new CreateRequest(Urn, RegistrationProvider.Type, Inputs(A, A, B, C)), default);

        // B was started by A's TriggerNode; registering through B meets "Server Already Started".
        var viaB = await Provider(fake).CreateAsync(new CreateRequest(Urn, RegistrationProvider.Type, Inputs(B, A, B, C)), default);

        Assert.Equal(true, viaB.Outputs.Get("alreadyStarted")!.AsBool);
    }

    [Fact]
    public async Task Trigger_node_bootstraps_an_instance_that_was_never_connected_and_answers_its_peer_id()
    {
        var fake = new FakeAutoscalerConnect(A, B, C);
        var client = new AutoscalerConnectClient(new HttpClient(fake), new Uri(B));

        var answer = await client.TriggerNodeAsync(new ConnectClusterRequest("http://gw", [A, B, C], 30), default);

        Assert.StartsWith("12D3KooW", answer.PeerID);
        Assert.True(fake.Started(B));
        Assert.False(fake.Started(A));
    }

    [Fact]
    public async Task Other_connect_failures_still_fail_the_step_with_upstreams_reason()
    {
        var fake = new FakeAutoscalerConnect(A);
        // None of the servers answers: upstream skips them and Raft refuses an empty configuration.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Provider(fake).CreateAsync(new CreateRequest(Urn, RegistrationProvider.Type, Inputs(A, B, C)), default));

        Assert.Contains("need at least one voter", error.Message);
        Assert.False(fake.Started(A));
    }

    [Fact]
    public async Task Every_call_carries_the_ingress_host_and_keeps_the_base_urls_path()
    {
        const string prefixed = "http://10.0.0.9:30080/gateway/autoscaler/";
        var fake = new FakeAutoscalerConnect(prefixed);
        var client = new AutoscalerConnectClient(new HttpClient(fake), new Uri(prefixed));

        await client.TriggerNodeAsync(new ConnectClusterRequest("http://gw", [A], 30), default);

        var (method, url, host) = Assert.Single(fake.Requests);
        Assert.Equal("TriggerNode", method);
        Assert.Equal("/gateway/autoscaler/apocryph.proto.v0.autoscaler.AutoscalerService/TriggerNode", url.AbsolutePath);
        Assert.Equal("autoscaler.local", host);
        Assert.Equal("/gateway/apocryph.proto.v0.autoscaler.AutoscalerService/TriggerNode",
            new AutoscalerConnectClient(new HttpClient(fake), new Uri("http://10.0.0.9:30080/gateway")).MethodUri("TriggerNode").AbsolutePath);
    }

    [Fact]
    public async Task The_ingress_answers_404_without_the_autoscaler_host()
    {
        var fake = new FakeAutoscalerConnect(A);
        using var http = new HttpClient(fake);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"{A}/apocryph.proto.v0.autoscaler.AutoscalerService/TriggerNode")
        {
            Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
        };

        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(message)).StatusCode);
        Assert.False(fake.Started(A));
    }

    [Theory]
    [InlineData("http://10.0.0.1:30080", true)]
    [InlineData("http://10.0.0.1:30080/", true)]
    [InlineData("a", false)]
    [InlineData("10.0.0.1:30080", false)]
    [InlineData("http://autoscaler.example:30080", false)]
    [InlineData("http://10.0.0.1", false)]
    [InlineData("https://10.0.0.1:30080", false)]
    [InlineData("http://[::1]:30080", false)]
    [InlineData("http://10.0.0.256:30080", false)]
    [InlineData("http://10.0.0.1:30080/path", false)]
    [InlineData("http://10.0.0.1:0", false)]
    public void Servers_must_be_what_upstream_turns_into_an_ip4_multiaddr(string server, bool usable)
    {
        Assert.Equal(usable, AutoscalerServerAddress.Problem(server) is null);
    }

    [Fact]
    public async Task Check_names_each_server_upstream_cannot_use()
    {
        var inputs = Inputs(A, A, "b", "http://autoscaler.example:30080");

        var result = await Provider(new FakeAutoscalerConnect()).CheckAsync(new CheckRequest(Urn, RegistrationProvider.Type, PropertyMap.Empty, inputs), default);

        Assert.Equal(["servers[1]", "servers[2]"], result.Failures.Select(f => f.Property));
    }

    [Fact]
    public async Task The_timeout_defaults_to_what_tpodctl_sends()
    {
        var fake = new FakeAutoscalerConnect(A);

        await Provider(fake).CreateAsync(new CreateRequest(Urn, RegistrationProvider.Type, Inputs(A, A)), default);

        Assert.Equal(30, Assert.Single(fake.ConnectCalls).GetProperty("timeout").GetInt32());
        Assert.Equal(30, ScyllaApocryph.Components.Cluster.AutoscalerSpec.DefaultTimeoutSeconds);
    }
}
