using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Providers.Wallet;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>A chain, three provider doubles reached through a Kubo double, and the publisher's key in an environment variable.</summary>
internal sealed class ApocryphLab : IAsyncDisposable
{
    public const string Stack = "test";
    public const string Project = "scylla-apocryph";

    private ApocryphLab(Devnet chain, KuboApiDouble kubo, IReadOnlyList<ApocryphProviderDouble> providers, string manifests, string keyEnv)
    {
        Chain = chain;
        Kubo = kubo;
        Providers = providers;
        Manifests = manifests;
        KeyEnv = keyEnv;
    }

    public Devnet Chain { get; }
    public KuboApiDouble Kubo { get; }
    public IReadOnlyList<ApocryphProviderDouble> Providers { get; }
    public string Manifests { get; }
    public string KeyEnv { get; }

    public static async Task<ApocryphLab> StartAsync()
    {
        var chain = await Devnet.StartAsync();
        var manifests = Path.Combine(Path.GetTempPath(), "apocryph-manifests-" + Guid.NewGuid().ToString("N")[..8]);
        var kubo = new KuboApiDouble();
        var providers = Devnet.ProviderKeys.Select((k, i) =>
        {
            var p = new ApocryphProviderDouble(Devnet.ProviderNames[i], WalletKey.FromHex(k).Address, Devnet.ProviderPeerIds[i], chain.RpcUrl, chain.Payment, manifests, TimeProvider.System, kubo.ApiUrl);
            kubo.AddPeer(p.PeerId, ApocryphNames.ProvisionProtocol, p.Port);
            return p;
        }).ToList();
        var keyEnv = "SA_TEST_APOCRYPH_KEY_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(keyEnv, Devnet.PublisherKey);
        return new ApocryphLab(chain, kubo, providers, manifests, keyEnv);
    }

    public ApocryphPodProvider NewProvider(PodRestartGate? restarts = null) =>
        new(new ApocryphSettings(new Uri(Chain.RpcUrl), Chain.Payment, KeyEnv, Kubo.ApiUrl), new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, TimeProvider.System,
            restarts: restarts);

    public static Urn UrnOf(string slot) => Urn.Create(Stack, Project, "scylla:index:Node", "apocryph:index:Pod", $"p/{slot}");

    public PropertyMap Inputs(int provider, string slot, long funds = 1000, long unlockSeconds = 0, string? manifest = null,
        string secrets = SecretDelivery.Ipfs) => PropertyMap.Of(
        ("slot", slot),
        ("publicHost", "127.0.0.1"),
        ("providerAddress", Providers[provider].Address),
        ("providerId", Providers[provider].PeerId),
        ("providerUrl", ""),
        ("funds", funds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("unlockSeconds", unlockSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("secrets", secrets),
        ("manifest", PropertyValue.Secret(manifest ?? Manifest())));

    /// <summary>A small pod as this project sends it: TCP NodePorts, a data volume, a secret file as contents.</summary>
    public static string Manifest(string image = "scylladb/scylla:2025.1.4") => $$$"""
        {"containers":[{"name":"scylla","image":{"url":"{{{image}}}"},
          "ports":[{"name":"internode-tls","containerPort":"30701","hostTcpPort":"30701"},{"name":"cql-tls","containerPort":"30942","hostTcpPort":"30942"}],
          "volumes":[{"name":"data","mountPath":"/var/lib/scylla"},{"name":"file-scylla-yaml","mountPath":"/etc/scylla/scylla.yaml","readOnly":true}],
          "resourceRequests":[{"resource":"cpu","amountMillis":"1000"}]}],
         "volumes":[{"name":"data","type":"VOLUME_FILESYSTEM","filesystem":{"resourceRequests":[{"resource":"storage","amount":"1073741824"}]}},
                    {"name":"file-scylla-yaml","type":"VOLUME_SECRET","secret":{"contents":"{{{Convert.ToBase64String("cluster_name: demo\n"u8)}}}"}}],
         "replicas":{"min":1,"max":1}}
        """;

    public async ValueTask DisposeAsync()
    {
        Environment.SetEnvironmentVariable(KeyEnv, null);
        foreach (var p in Providers) await p.DisposeAsync();
        await Kubo.DisposeAsync();
        await Chain.DisposeAsync();
        if (Directory.Exists(Manifests)) Directory.Delete(Manifests, true);
    }
}
