using Microsoft.Extensions.Time.Testing;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Nebula;

namespace ScyllaApocryph.Tests.Nebula;

public sealed class NebulaBlocklistProviderTests
{
    private static readonly Urn Urn = Urn.Create("t", "p", null, NebulaBlocklistProvider.Type, "blocklist");
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static PropertyMap Active(params PropertyValue[] entries) => PropertyMap.Of(("active", PropertyValue.Array(entries)));

    private static PropertyValue Cert(string fp, DateTimeOffset notAfter) =>
        PropertyMap.Of(("fingerprint", fp), ("notAfter", notAfter.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)));

    private static IReadOnlyList<string> Fingerprints(PropertyMap outputs) => [.. outputs["fingerprints"].AsArray!.Value.Select(v => v.AsString!)];

    [Fact]
    public async Task CertificatesThatLeaveTheStack_Accumulate_AndNeverReplace()
    {
        var clock = new FakeTimeProvider(Now);
        var provider = new NebulaBlocklistProvider(clock);
        var v1 = Active("a", "b", "c");
        var created = await provider.CreateAsync(new CreateRequest(Urn, NebulaBlocklistProvider.Type, v1), default);
        Assert.Empty(Fingerprints(created.Outputs));

        var v2 = Active("a", "c", "d"); // b removed, d added (e.g. b's node was replaced)
        var diff = await provider.DiffAsync(new DiffRequest(Urn, NebulaBlocklistProvider.Type, created.Id, v1, created.Outputs, v2), default);
        Assert.True(diff.Changes);
        Assert.Empty(diff.ReplaceKeys);
        var second = await provider.UpdateAsync(new UpdateRequest(Urn, NebulaBlocklistProvider.Type, created.Id, v1, created.Outputs, v2), default);
        Assert.Equal(["b"], Fingerprints(second.Outputs));

        var v3 = Active("c", "d").With("manual", PropertyValue.Array("zz"));
        var third = await provider.UpdateAsync(new UpdateRequest(Urn, NebulaBlocklistProvider.Type, created.Id, v2, second.Outputs, v3), default);
        Assert.Equal(["a", "b", "zz"], Fingerprints(third.Outputs));
    }

    [Fact]
    public async Task ExpiredCertificates_LeaveTheBlocklist_BecauseNebulaRejectsThemAnyway()
    {
        var clock = new FakeTimeProvider(Now);
        var provider = new NebulaBlocklistProvider(clock);
        var v1 = Active(Cert("old", Now.AddDays(5)), Cert("keep", Now.AddDays(50)), Cert("live", Now.AddDays(50)));
        var created = await provider.CreateAsync(new CreateRequest(Urn, NebulaBlocklistProvider.Type, v1), default);
        var v2 = Active(Cert("live", Now.AddDays(50)));
        var updated = await provider.UpdateAsync(new UpdateRequest(Urn, NebulaBlocklistProvider.Type, created.Id, v1, created.Outputs, v2), default);
        Assert.Equal(["keep", "old"], Fingerprints(updated.Outputs));

        clock.Advance(TimeSpan.FromDays(6));
        var diff = await provider.DiffAsync(new DiffRequest(Urn, NebulaBlocklistProvider.Type, created.Id, v2, updated.Outputs, v2), default);
        Assert.True(diff.Changes);
        var pruned = await provider.UpdateAsync(new UpdateRequest(Urn, NebulaBlocklistProvider.Type, created.Id, v2, updated.Outputs, v2), default);
        Assert.Equal(["keep"], Fingerprints(pruned.Outputs));
    }

    [Fact]
    public async Task Check_RefusesEntriesThatAreNotFingerprints()
    {
        var provider = new NebulaBlocklistProvider(TimeProvider.System);
        var check = await provider.CheckAsync(new CheckRequest(Urn, NebulaBlocklistProvider.Type, PropertyMap.Empty, Active(42)), default);
        Assert.Equal("active", Assert.Single(check.Failures).Property);
        Assert.Empty((await provider.CheckAsync(new CheckRequest(Urn, NebulaBlocklistProvider.Type, PropertyMap.Empty,
            Active("a", PropertyValue.Unknown)), default)).Failures);
    }
}
