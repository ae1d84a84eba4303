using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Providers.Nebula;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Providers.Random;
using ScyllaApocryph.Providers.Tls;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Providers;

/// <summary>The providers every stack has besides its hosting providers: generated passwords and the PKI.</summary>
public static class BuiltInProviders
{
    private static readonly Lazy<HttpClient> Http = new(() => new HttpClient { Timeout = TimeSpan.FromSeconds(30) });

    /// <summary>For the autoscaler's ConnectCluster, which may take its whole Raft timeout: each call sets its own limit.</summary>
    private static readonly Lazy<HttpClient> AutoscalerHttp = new(() => new HttpClient { Timeout = Timeout.InfiniteTimeSpan });

    /// <summary>
    /// For ScyllaDB's REST API: no overall timeout, because removenode and decommission answer only when the operation
    /// ends (minutes to hours). Each request gets its own limit from <see cref="ScyllaRestOptions"/> instead.
    /// </summary>
    internal static readonly Lazy<HttpClient> ScyllaRestHttp = new(() => new HttpClient { Timeout = Timeout.InfiniteTimeSpan });

    /// <summary>
    /// The membership reconciler of a stack whose cluster sets <c>membership</c>: it reaches each node's REST API at
    /// its overlay address, asks the autoscaler hooks for instances, and keeps its lease and intent journal in the
    /// stack's state directory, where every reconciler of this stack looks.
    /// </summary>
    public static MembershipProvider Membership(ReconciliationSpec spec, string stateDirectory)
    {
        var clock = TimeProvider.System;
        return new MembershipProvider(new MembershipProviderContext(
            ScyllaRestHttp.Value,
            new DirectEndpointResolver(Defaults.Ports.RestApi),
            new AutoscalerHooksClient(Http.Value, spec.Hooks),
            new FileReconcilerLease(Path.Combine(stateDirectory, "membership.lease"), clock),
            new FileIntentJournal(Path.Combine(stateDirectory, "membership.intent")),
            clock,
            new ReconcilerOptions($"{Environment.MachineName}:{Environment.ProcessId}")) { Names = new DnsSlotAddressResolver() });
    }

    /// <summary>
    /// The pods of one Apocryph provider entry; its settings were validated by the stack loader. All entries of one
    /// stack share <paramref name="wallets"/> (they pay from one wallet) and <paramref name="restarts"/> (one pod restarts per run).
    /// </summary>
    public static ApocryphPodProvider Apocryph(ProviderSpec provider, ChainWalletPool wallets, PodRestartGate restarts) => new(
        new ApocryphSettings(new Uri(provider.Settings["rpcUrl"]), provider.Settings["paymentContract"], provider.Settings["walletKeyEnv"],
            provider.Setting("kuboApi") is { } kubo ? new Uri(kubo.EndsWith('/') ? kubo : kubo + "/") : ApocryphSettings.DefaultKuboApi),
        Http.Value, TimeProvider.System, wallets, restarts);

    public static ProviderRegistry Registry() => new ProviderRegistry()
        .Add(ClusterOperations.AutoscalerProvider, new RegistrationProvider(uri => new AutoscalerConnectClient(AutoscalerHttp.Value, uri)))
        .Add(ScyllaCluster.RandomProvider, new RandomPasswordProvider())
        .Add(SecurityMaterial.TlsProvider, new TlsProvider())
        .Add(SecurityMaterial.NebulaProvider, new NebulaProvider())
        .Add(SecurityMaterial.WalletProvider, new MembershipProofProvider());
}
