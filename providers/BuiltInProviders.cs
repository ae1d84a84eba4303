using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Providers.Nebula;
using ScyllaApocryph.Providers.Random;
using ScyllaApocryph.Providers.Tls;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Providers;

/// <summary>The providers every stack has besides its hosting providers: generated passwords and the PKI.</summary>
public static class BuiltInProviders
{
    public static ProviderRegistry Registry() => new ProviderRegistry()
        .Add(ScyllaCluster.RandomProvider, new RandomPasswordProvider())
        .Add(SecurityMaterial.TlsProvider, new TlsProvider())
        .Add(SecurityMaterial.NebulaProvider, new NebulaProvider())
        .Add(SecurityMaterial.WalletProvider, new MembershipProofProvider());
}
