using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>
/// The local Apocryph with its Registry, as scripts/apocryph-devnet.sh starts it: <see cref="ApocryphLab"/> (chain,
/// Kubo double, three provider doubles), then the Registry deployed by the publisher's account (its fourth
/// transaction, so at the address Pulumi.apocryph-registry.yaml names) and the three standard offers registered.
/// </summary>
internal sealed class RegistryLab : IAsyncDisposable
{
    // anvil's development account 4: a provider that registers later in a test.
    public const string LateProviderKey = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";

    private RegistryLab(ApocryphLab lab, string registry)
    {
        Lab = lab;
        Registry = registry;
    }

    public ApocryphLab Lab { get; }
    public string Registry { get; }
    public Devnet Chain => Lab.Chain;
    public KuboApiDouble Kubo => Lab.Kubo;

    public static string ContractsJson => Path.Combine(Devnet.Directory, "build", "contracts.json");

    public static async Task<RegistryLab> StartAsync()
    {
        var lab = await ApocryphLab.StartAsync();
        try
        {
            var registry = await DevnetRegistry.DeployAsync(new Web3(new Account(Devnet.PublisherKey, 31337), lab.Chain.RpcUrl), ContractsJson);
            await DevnetRegistry.RegisterAsync(lab.Chain.RpcUrl, registry, lab.Chain.Token, lab.Kubo, DevnetRegistry.StandardOffers(Devnet.ProviderKeys, Devnet.ProviderPeerIds));
            return new RegistryLab(lab, registry);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Another provider registers with one pricing table (its profile added to IPFS first, as tpodserver does).</summary>
    public Task RegisterAsync(DevnetOffer offer) => DevnetRegistry.RegisterAsync(Chain.RpcUrl, Registry, Chain.Token, Kubo, [offer]);

    public ValueTask DisposeAsync() => Lab.DisposeAsync();
}
