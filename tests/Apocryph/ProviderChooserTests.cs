using System.Numerics;
using ScyllaApocryph.Providers.Apocryph.Registry;
using ScyllaApocryph.Providers.Apocryph.Registry.Proto;

namespace ScyllaApocryph.Tests.Apocryph;

public sealed class ProviderChooserTests
{
    private static readonly NodeDemand OneNode = new(1000, 2L << 30, 10L << 30);
    private static readonly ProviderSelection Any = new("0x0000000000000000000000000000000000000001");
    private static readonly RegistryRegion East = new("dev", "east", 1);

    private static PricingTable Table(int id, long cpu, long ram = 1, long storage = 1, string tee = "AMD SEV-SNP", string cpuModel = "AMD EPYC") =>
        new(id, "0xToken", new ResourcePrices(cpu, ram, storage, 5, 5), cpuModel, tee);

    private static ProviderOffer Offer(string address, params PricingTable[] tables) =>
        new(address, tables, new ProviderProfile("12D3KooW" + address[2..8], "203.0.113.7", [East]));

    private static ProviderRanking Rank(ProviderSelection selection, params ProviderOffer[] offers) =>
        ProviderChooser.Rank(offers, selection, OneNode, new HashSet<string>());

    [Fact]
    public void The_cheapest_provider_for_one_node_is_chosen_at_its_cheapest_matching_table()
    {
        var ranking = Rank(Any, Offer("0xAAAA000000000000000000000000000000000001", Table(1, 3000)),
                                Offer("0xBBBB000000000000000000000000000000000002", Table(2, 5000), Table(3, 1000)));

        Assert.Equal("0xBBBB000000000000000000000000000000000002", ranking.Best!.Address);
        Assert.Equal(3, (int)ranking.Best.Table.Id);
        Assert.Equal(1000 * 1000 + 1000 * ((2L << 30) + (10L << 30)), ranking.Best.MilliCostPerSecond);
    }

    [Fact]
    public void Equal_prices_go_to_the_lower_address_whatever_the_order_the_Registry_lists_them_in()
    {
        var low = Offer("0x10000000000000000000000000000000000000aa", Table(1, 1000));
        var high = Offer("0xF0000000000000000000000000000000000000aa", Table(2, 1000));

        Assert.Equal(low.Address, Rank(Any, high, low).Best!.Address);
        Assert.Equal(low.Address, Rank(Any, low, high).Best!.Address);
    }

    [Fact]
    public void Memory_and_disk_prices_count_by_the_bytes_a_node_reserves()
    {
        // Cheaper cpu but dearer memory loses: 2 GiB at 1 more per byte outweighs 1000 per core.
        var ranking = Rank(Any, Offer("0xAAAA000000000000000000000000000000000001", Table(1, 1, ram: 2)),
                                Offer("0xBBBB000000000000000000000000000000000002", Table(2, 2000, ram: 1)));

        Assert.Equal("0xBBBB000000000000000000000000000000000002", ranking.Best!.Address);
    }

    [Fact]
    public void A_maximum_price_admits_equal_and_lower_prices_only()
    {
        var selection = Any with { MaxPrices = new PriceLimits(Cpu: 2000) };
        var ranking = Rank(selection, Offer("0xAAAA000000000000000000000000000000000001", Table(1, 2000)),
                                      Offer("0xBBBB000000000000000000000000000000000002", Table(2, 2001)));

        Assert.Equal(["0xAAAA000000000000000000000000000000000001"], ranking.Candidates.Select(c => c.Address));
        Assert.Equal(1, ranking.TablesMatching);
    }

    [Fact]
    public void The_TEE_type_and_CPU_model_match_as_contained_text_as_upstream_does()
    {
        var selection = Any with { TeeType = "SEV-SNP", CpuModel = "EPYC" };
        var ranking = Rank(selection, Offer("0xAAAA000000000000000000000000000000000001", Table(1, 1000, tee: "Intel TDX")),
                                      Offer("0xBBBB000000000000000000000000000000000002", Table(2, 3000, tee: "AMD SEV-SNP")),
                                      Offer("0xCCCC000000000000000000000000000000000003", Table(3, 2000, tee: "AMD SEV-SNP", cpuModel: "Xeon")));

        Assert.Equal(["0xBBBB000000000000000000000000000000000002"], ranking.Candidates.Select(c => c.Address));
        Assert.Empty(Rank(Any with { TeeType = "sev-snp" }, Offer("0xBBBB000000000000000000000000000000000002", Table(2, 3000))).Candidates); // case counts
    }

    [Fact]
    public void A_region_must_be_one_of_the_profile_regions_in_name_zone_and_number()
    {
        var west = new ProviderOffer("0xAAAA000000000000000000000000000000000001", [Table(1, 1000)],
            new ProviderProfile("12D3KooWWest", "203.0.113.8", [new RegistryRegion("dev", "west", 1), new RegistryRegion("dev", "east", 2)]));
        var east = Offer("0xBBBB000000000000000000000000000000000002", Table(2, 3000));

        var ranking = Rank(Any with { Region = East }, west, east);

        Assert.Equal([east.Address], ranking.Candidates.Select(c => c.Address));
        Assert.Equal([west.Address], ranking.OutsideRegion);
    }

    [Fact]
    public void A_provider_another_entry_uses_and_one_with_an_unusable_profile_are_left_out_and_said_why()
    {
        var taken = Offer("0xAAAA000000000000000000000000000000000001", Table(1, 1000));
        var broken = new ProviderOffer("0xBBBB000000000000000000000000000000000002", [Table(2, 1500)], null, "its profile has no /p2p/<peer id> multiaddr");
        var fine = Offer("0xCCCC000000000000000000000000000000000003", Table(3, 2000));

        var ranking = ProviderChooser.Rank([taken, broken, fine], Any, OneNode, new HashSet<string> { taken.Address.ToLowerInvariant() });

        Assert.Equal(fine.Address, ranking.Best!.Address);
        Assert.Equal([taken.Address], ranking.Taken);
        Assert.Equal("its profile has no /p2p/<peer id> multiaddr", Assert.Single(ranking.Unusable).Problem);
    }

    [Theory]
    [InlineData("bul-east-1", true)]
    [InlineData("bul-east-4294967295", true)]
    [InlineData("bul-east", false)]
    [InlineData("bul-east-1-2", false)]
    [InlineData("bul-east-x", false)]
    [InlineData("bul-east--1", false)]
    [InlineData("-east-1", false)]
    public void A_region_is_written_name_zone_number(string text, bool valid)
    {
        var region = RegistryRegion.Parse(text, out var problem);

        Assert.Equal(valid, region is not null);
        Assert.Equal(valid, problem is null);
        if (region is not null) Assert.Equal(text, region.ToString());
    }

    [Fact]
    public void A_profile_gives_the_peer_id_of_its_p2p_multiaddr_and_the_host_of_its_first_ip_or_dns_one()
    {
        var info = new HostInfo { Multiaddrs = { "https://kubo.business/", "/dns4/provider.example/tcp/4001", "/ip4/198.51.100.4/tcp/4001/p2p/12D3KooWPeer" } };

        var profile = ProviderProfile.From(info, out var problem);

        Assert.Null(problem);
        Assert.Equal("12D3KooWPeer", profile!.PeerId);
        Assert.Equal("provider.example", profile.PublicHost);
    }

    [Theory]
    [InlineData("/ip4/198.51.100.4/tcp/4001", "no /p2p/<peer id> multiaddr")]
    [InlineData("/p2p/12D3KooWPeer", "no /ip4, /ip6 or /dns multiaddr")]
    [InlineData("/dns4/bad host/tcp/1|/p2p/12D3KooWPeer", "is not a host name or IP address")]
    [InlineData("/ip4/198.51.100.4/tcp/4001|/p2p/12D3Koo W", "is not a libp2p peer id")]
    public void A_profile_without_a_usable_peer_id_or_host_is_refused(string multiaddrs, string expected)
    {
        var info = new HostInfo();
        info.Multiaddrs.AddRange(multiaddrs.Split('|'));

        Assert.Null(ProviderProfile.From(info, out var problem));
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void A_cost_prints_as_a_decimal_of_the_token_smallest_unit()
    {
        Assert.Equal("12", NodeDemand.Format(12_000));
        Assert.Equal("12.5", NodeDemand.Format(12_500));
        Assert.Equal("0.005", NodeDemand.Format(5));
        Assert.Equal(new BigInteger(1500), new NodeDemand(1500, 0, 0).MilliCostPerSecond(new ResourcePrices(1, 7, 7, 0, 0)));
    }
}
