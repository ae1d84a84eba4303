using Google.Protobuf;
using ScyllaApocryph.Components.Apocryph;
using ScyllaApocryph.Components.Apocryph.Proto;
using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Tests.Components;

/// <summary>
/// The pod manifest's field-by-field protojson writer against upstream's: Google.Protobuf's JsonFormatter with
/// indentation (what the manifest was rendered with before), byte for byte, and read back by its JsonParser.
/// </summary>
public sealed class PodJsonTests
{
    private static readonly JsonFormatter Upstream = new(JsonFormatter.Settings.Default.WithIndentation());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_node_of_a_cluster_is_written_as_protobufs_formatter_writes_it(bool agent)
    {
        var spec = ClusterFixtures.Stack(SecurityMode.Tls, new ArbiterSpec("arb", "arbiter"),
            ("alpha", 2, ProviderKind.Apocryph), ("beta", 2, ProviderKind.Apocryph), ("gamma", 1, ProviderKind.Render));
        if (agent) spec = spec with { Cluster = spec.Cluster with { AgentImage = "registry.example/scylla-agent@sha256:" + new string('a', 64) } };
        var topology = Topology.Build(spec);

        foreach (var slot in topology.Slots)
        {
            var pod = ApocryphPodManifest.Build(NodePlan.For(topology, slot));
            Assert.Equal(Upstream.Format(pod), PodJson.Format(pod));
        }
    }

    [Fact]
    public void Every_field_of_the_schema_is_written_as_protobufs_formatter_writes_it()
    {
        var pod = new Pod
        {
            Containers =
            {
                new Container
                {
                    Name = "scylla \"quoted\" <b>&amp;</b> 'single' = é \u2028 \u00ad \u0085 \u007f \\ \n\t\r\b\f\u0001 \ud83d\ude00",
                    Image = new Image
                    {
                        Cid = ByteString.CopyFrom(1, 2, 3, 250), Key = new Key { Data = ByteString.CopyFromUtf8("k") }, Url = "u",
                        VerificationDetails = new VerificationDetails { Signature = "s", Identity = "i", Issuer = "o" },
                    },
                    Entrypoint = { "/bin/sh", "-c" },
                    Command = { "echo", "" },
                    WorkingDir = "/w",
                    Ports =
                    {
                        new Container.Types.Port { Name = "http", ContainerPort = 80, ServicePort = 8080, HostHttpHost = "h.example" },
                        new Container.Types.Port { Name = "zero", HostTcpPort = 0 },
                        new Container.Types.Port { Name = "big", ContainerPort = ulong.MaxValue, HostTcpPort = 30001 },
                        new Container.Types.Port(),
                    },
                    Env = { ["B"] = "2", ["A"] = "1", ["EMPTY"] = "", ["<KEY>"] = "\ufeff" },
                    Volumes = { new Container.Types.VolumeMount { Name = "v", MountPath = "/m", ReadOnly = true }, new Container.Types.VolumeMount() },
                    ResourceRequests =
                    {
                        new Resource { Resource_ = "cpu", AmountMillis = 1500 }, new Resource { Resource_ = "a", Amount = 0 },
                        new Resource { Resource_ = "k", AmountKibi = 1 }, new Resource { Resource_ = "m", AmountMebi = 2 },
                        new Resource { Resource_ = "g", AmountGibi = 3 }, new Resource { Resource_ = "none" },
                    },
                },
                new Container(),
            },
            Volumes =
            {
                new Volume { Name = "e" },
                new Volume { Name = "f", Type = Volume.Types.Type.VolumeFilesystem, AccessMode = Volume.Types.AccessMode.VolumeRwMany, Filesystem = new() },
                new Volume
                {
                    Name = "s", Type = Volume.Types.Type.VolumeSecret,
                    Secret = new Volume.Types.SecretConfig
                    {
                        Cid = ByteString.CopyFromUtf8("cid"), Key = new Key(), File = "f", Contents = ByteString.CopyFromUtf8("x+/="), ContentsString = "@@t@@",
                    },
                },
                new Volume { Name = "unknown enums", Type = (Volume.Types.Type)7, AccessMode = (Volume.Types.AccessMode)1 },
            },
            Replicas = new Replicas { Min = 1, Max = 4294967295, TargetPendingRequests = 0 },
            KeyPair = new KeyPair { PrivateKey = "0xabc", PubAddress = "0xdef" },
            VerificationSettings = new VerificationSettings { ForcePolicy = true, VerificationHost = "v.example" },
        };

        var written = PodJson.Format(pod);

        Assert.Equal(Upstream.Format(pod), written);
        Assert.Equal(pod, JsonParser.Default.Parse<Pod>(written));
    }

    [Fact]
    public void An_empty_pod_is_an_empty_object_as_upstream_writes_it()
    {
        Assert.Equal(Upstream.Format(new Pod()), PodJson.Format(new Pod()));
        Assert.Equal(Upstream.Format(new Pod { Replicas = new Replicas() }), PodJson.Format(new Pod { Replicas = new Replicas() }));
    }
}
