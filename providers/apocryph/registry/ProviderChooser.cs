using System.Numerics;

namespace ScyllaApocryph.Providers.Apocryph.Registry;

/// <summary>A provider the Registry lists for the payment token: the tables it subscribes to, and its profile or why that is unusable.</summary>
public sealed record ProviderOffer(string Address, IReadOnlyList<PricingTable> Tables, ProviderProfile? Profile, string? ProfileProblem = null);

/// <summary>A provider that fits a selection, at the price of its cheapest matching table for one node.</summary>
public sealed record ProviderCandidate(string Address, ProviderProfile Profile, PricingTable Table, BigInteger MilliCostPerSecond)
{
    public string CostPerSecond => NodeDemand.Format(MilliCostPerSecond);
}

/// <summary>The candidates in the order they are chosen, and what was left out and why (for a clear "none matched").</summary>
public sealed record ProviderRanking(
    IReadOnlyList<ProviderCandidate> Candidates,
    int TablesMatching,
    IReadOnlyList<string> OutsideRegion,
    IReadOnlyList<(string Address, string Problem)> Unusable,
    IReadOnlyList<string> Taken)
{
    public ProviderCandidate? Best => Candidates.Count > 0 ? Candidates[0] : null;
}

/// <summary>
/// Chooses deterministically: the cheapest candidate for one node's reservation (cpu, memory, disk at its cheapest
/// matching table), ties broken by the lower address. Upstream's tpodctl instead takes the first provider that
/// answers, in Go's random map order (pkg/publisher/registry.go SetFirstConnectingProvider, 4bbf371), which would
/// move a stack's datacenter from run to run. Providers another entry of the stack uses are left out, so two
/// datacenters never land on one provider.
/// </summary>
public static class ProviderChooser
{
    public static ProviderRanking Rank(IEnumerable<ProviderOffer> offers, ProviderSelection selection, NodeDemand demand, IReadOnlySet<string> taken)
    {
        var candidates = new List<ProviderCandidate>();
        var outside = new List<string>();
        var unusable = new List<(string, string)>();
        var takenHere = new List<string>();
        var tables = new HashSet<BigInteger>();
        foreach (var offer in offers.OrderBy(o => o.Address.ToLowerInvariant(), StringComparer.Ordinal))
        {
            var matching = offer.Tables.Where(selection.Matches).ToList();
            if (matching.Count == 0) continue;
            tables.UnionWith(matching.Select(t => t.Id));
            if (taken.Contains(offer.Address.ToLowerInvariant()))
            {
                takenHere.Add(offer.Address);
                continue;
            }
            if (offer.Profile is not { } profile)
            {
                unusable.Add((offer.Address, offer.ProfileProblem ?? "its profile could not be read"));
                continue;
            }
            if (selection.Region is { } region && !profile.Regions.Contains(region))
            {
                outside.Add(offer.Address);
                continue;
            }
            var cheapest = matching.Select(t => (Table: t, Cost: demand.MilliCostPerSecond(t.Prices)))
                .OrderBy(x => x.Cost).ThenBy(x => x.Table.Id).First();
            candidates.Add(new ProviderCandidate(offer.Address, profile, cheapest.Table, cheapest.Cost));
        }
        candidates.Sort((a, b) => a.MilliCostPerSecond != b.MilliCostPerSecond
            ? a.MilliCostPerSecond.CompareTo(b.MilliCostPerSecond)
            : string.CompareOrdinal(a.Address.ToLowerInvariant(), b.Address.ToLowerInvariant()));
        return new ProviderRanking(candidates, tables.Count, outside, unusable, takenHere);
    }
}
