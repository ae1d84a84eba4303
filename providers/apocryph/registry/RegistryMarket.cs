using System.Numerics;
using Google.Protobuf;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using ScyllaApocryph.Providers.Apocryph.Registry.Proto;

namespace ScyllaApocryph.Providers.Apocryph.Registry;

/// <summary>
/// Reads the Registry as upstream's publisher does (pkg/publisher/registry.go and cmd/trustedpods/deploy.go
/// fetchAndFilterProviders, 4bbf371): the payment token from the Payment contract's token(); the NewPricingTable
/// events of that token from block 0; per matching table the Subscribed events, kept only while isSubscribed says
/// so (unsubscribe emits nothing); per provider the profile CID from providers(address), read from IPFS through the
/// local Kubo and decoded as a protobuf HostInfo. Then <see cref="ProviderChooser"/> ranks what fits.
/// </summary>
public sealed class RegistryMarket(Web3 web3, HttpClient http, Uri kuboApi)
{
    /// <summary>What was found, ranked, and how many tables the token has at all (for a clear "none matched").</summary>
    public sealed record Result(ProviderRanking Ranking, int TablesForToken, string Token);

    public async Task<Result> RankAsync(ProviderSelection selection, string paymentContract, NodeDemand demand, IReadOnlySet<string> taken, CancellationToken ct)
    {
        var token = await web3.Eth.GetContractQueryHandler<TokenFunction>().QueryAsync<string>(paymentContract, new TokenFunction());
        var tables = await TablesAsync(selection.RegistryContract, token);
        var matching = tables.Where(selection.Matches).ToList();
        var byProvider = new Dictionary<string, List<PricingTable>>(StringComparer.OrdinalIgnoreCase);
        foreach (var table in matching)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var provider in await SubscribersAsync(selection.RegistryContract, table.Id))
            {
                if (!byProvider.TryGetValue(provider, out var list)) byProvider[provider] = list = [];
                list.Add(table);
            }
        }
        var offers = new List<ProviderOffer>();
        foreach (var (provider, list) in byProvider.OrderBy(p => p.Key.ToLowerInvariant(), StringComparer.Ordinal))
        {
            // Another entry's provider needs no profile read: it is left out anyway.
            if (taken.Contains(provider.ToLowerInvariant()))
            {
                offers.Add(new ProviderOffer(provider, list, null));
                continue;
            }
            var (profile, problem) = await ProfileAsync(selection.RegistryContract, provider, ct);
            offers.Add(new ProviderOffer(provider, list, profile, problem));
        }
        return new Result(ProviderChooser.Rank(offers, selection, demand, taken), tables.Count, token);
    }

    public async Task<IReadOnlyList<PricingTable>> TablesAsync(string registry, string token)
    {
        var events = web3.Eth.GetEvent<NewPricingTableEvent>(registry);
        var logs = await events.GetAllChangesAsync(events.CreateFilterInput(token, BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
        return [.. logs.Select(l => l.Event).Select(e => new PricingTable(e.Id, e.Token,
                new ResourcePrices(e.CpuPrice, e.RamPrice, e.StoragePrice, e.BandwidthEgressPrice, e.BandwidthIngressPrice), e.Cpumodel, e.TeeType))
            .OrderBy(t => t.Id)];
    }

    public async Task<IReadOnlyList<string>> SubscribersAsync(string registry, BigInteger tableId)
    {
        var events = web3.Eth.GetEvent<SubscribedEvent>(registry);
        var logs = await events.GetAllChangesAsync(events.CreateFilterInput(tableId, BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
        var result = new List<string>();
        foreach (var provider in logs.Select(l => l.Event.Provider).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var subscribed = await web3.Eth.GetContractQueryHandler<IsSubscribedFunction>()
                .QueryAsync<bool>(registry, new IsSubscribedFunction { Provider = provider, TableId = tableId });
            if (subscribed) result.Add(provider);
        }
        return result;
    }

    /// <summary>The provider's profile, or why it cannot be used. Kubo itself failing (unreachable) is an error, not a skip.</summary>
    public async Task<(ProviderProfile? Profile, string? Problem)> ProfileAsync(string registry, string provider, CancellationToken ct)
    {
        var cid = await web3.Eth.GetContractQueryHandler<ProvidersFunction>().QueryAsync<string>(registry, new ProvidersFunction { Provider = provider });
        if (string.IsNullOrEmpty(cid)) return (null, "it has no profile in the Registry (not registered)");
        byte[] bytes;
        try
        {
            bytes = await KuboFiles.CatAsync(http, kuboApi, cid, ct);
        }
        catch (KuboFileException e)
        {
            return (null, $"its profile {cid} could not be read: {e.Message}");
        }
        HostInfo info;
        try
        {
            info = HostInfo.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            return (null, $"its profile {cid} is not a HostInfo: {e.Message}");
        }
        var profile = ProviderProfile.From(info, out var problem);
        return (profile, problem);
    }
}
