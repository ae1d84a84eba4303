using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Nebula;
using ScyllaApocryph.Tests.Pki;

namespace ScyllaApocryph.Tests.Nebula;

[Collection(NetnsCollection.Name)]
public sealed class NebulaBlocklistOverlayTests
{
    [NetnsFact]
    public async Task RemovedNode_WhoseCertificateIsBlocklisted_CanNoLongerConnect()
    {
        using var hosts = new NebulaHosts(clusterHosts: 3, foreignHost: false);
        var lab = hosts.Lab;
        lab.Listen(hosts.Ns(1), 7000);
        lab.Listen(hosts.Ns(2), 7000);
        Assert.True(lab.EventuallyConnects(hosts.Ns(3), NebulaHosts.OverlayIp(1), 7000), "before removal h3 -> h1:7000\n" + lab.Log);

        // The stack drops node 3: the blocklist resource sees its certificate leave the active set.
        var provider = new NebulaBlocklistProvider();
        var urn = Urn.Create("test", "pki", null, NebulaBlocklistProvider.Type, "blocklist");
        var before = PropertyMap.Of(("active", PropertyValue.Array(hosts.Fingerprint(1), hosts.Fingerprint(2), hosts.Fingerprint(3))));
        var after = PropertyMap.Of(("active", PropertyValue.Array(hosts.Fingerprint(1), hosts.Fingerprint(2))));
        var created = await provider.CreateAsync(new CreateRequest(urn, NebulaBlocklistProvider.Type, before), default);
        var updated = await provider.UpdateAsync(new UpdateRequest(urn, NebulaBlocklistProvider.Type, created.Id, before, created.Outputs, after), default);
        var blocklist = updated.Outputs.Get("fingerprints")!.AsArray!.Value.Select(v => v.AsString!).ToList();
        Assert.Equal([hosts.Fingerprint(3)], blocklist);

        // The remaining nodes get their new configs; node 3 still runs with its old, still unexpired certificate.
        hosts.Restart(1, blocklist);
        hosts.Restart(2, blocklist);
        Assert.Contains(hosts.Fingerprint(3), hosts.RenderedConfig(1, blocklist));

        Assert.True(lab.EventuallyConnects(hosts.Ns(2), NebulaHosts.OverlayIp(1), 7000), "members still connect: h2 -> h1:7000\n" + lab.Log);
        // Several tries, as many as a member needs after a peer restarts: a refusal, not a slow re-handshake.
        Assert.False(lab.EventuallyConnects(hosts.Ns(3), NebulaHosts.OverlayIp(1), 7000, attempts: 4), "blocklisted h3 -> h1 must fail\n" + lab.Log);
        Assert.False(lab.EventuallyConnects(hosts.Ns(3), NebulaHosts.OverlayIp(2), 7000, attempts: 4), "blocklisted h3 -> h2 must fail\n" + lab.Log);
    }
}
