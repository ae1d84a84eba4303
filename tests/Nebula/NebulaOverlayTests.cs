using ScyllaApocryph.Tests.Pki;

namespace ScyllaApocryph.Tests.Nebula;

/// <summary>The generated PKI and configs, run by the real nebula in namespaces: who may reach what.</summary>
[Collection(NetnsCollection.Name)]
public sealed class NebulaOverlayTests(SharedMesh mesh) : IClassFixture<SharedMesh>
{
    [NetnsFact]
    public void ClusterHosts_ReachInternodePort_OverOverlay()
    {
        var hosts = mesh.Hosts;
        var lab = hosts.Lab;
        lab.Listen(hosts.Ns(1), 7000);
        lab.Listen(hosts.Ns(2), 7000);
        Assert.True(lab.EventuallyConnects(hosts.Ns(2), NebulaHosts.OverlayIp(1), 7000), "h2 -> h1:7000\n" + lab.Log);
        Assert.True(lab.EventuallyConnects(hosts.Ns(3), NebulaHosts.OverlayIp(1), 7000), "h3 -> h1:7000\n" + lab.Log);
        // Neither is a lighthouse for the other's path: h3 learns h2's underlay address from a lighthouse.
        Assert.True(lab.EventuallyConnects(hosts.Ns(3), NebulaHosts.OverlayIp(2), 7000), "h3 -> h2:7000\n" + lab.Log);
    }

    [NetnsFact]
    public void PortOutsideTheRules_IsBlocked_ThoughTheListenerIsUp()
    {
        var hosts = mesh.Hosts;
        var lab = hosts.Lab;
        lab.Listen(hosts.Ns(1), 10000);
        lab.Listen(hosts.Ns(1), 9042);
        // The tunnel works (CQL is allowed) and the REST listener answers on the underlay...
        Assert.True(lab.EventuallyConnects(hosts.Ns(2), NebulaHosts.OverlayIp(1), 9042), "h2 -> h1:9042\n" + lab.Log);
        Assert.True(lab.CanConnect(hosts.Ns(2), NetnsLab.Underlay(1), 10000, TimeSpan.FromSeconds(3)), "underlay h2 -> h1:10000\n" + lab.Log);
        // ...but the overlay firewall drops REST, which has no authentication.
        Assert.False(lab.CanConnect(hosts.Ns(2), NebulaHosts.OverlayIp(1), 10000, TimeSpan.FromSeconds(3)), "h2 -> h1:10000 must be dropped");
    }

    [NetnsFact]
    public void HostWithCertificateFromAnotherCa_ReachesNobody()
    {
        var hosts = mesh.Hosts;
        var lab = hosts.Lab;
        lab.Listen(hosts.Ns(1), 7000);
        lab.Listen(hosts.Ns(4), 7000);
        // Control: a member does reach h1, so the foreign host's failures are about trust, not the network.
        Assert.True(lab.EventuallyConnects(hosts.Ns(2), NebulaHosts.OverlayIp(1), 7000), "h2 -> h1:7000\n" + lab.Log);
        Assert.True(lab.CanConnect(hosts.Ns(4), NetnsLab.Underlay(1), 7000, TimeSpan.FromSeconds(3)), "underlay h4 -> h1:7000");
        foreach (var n in new[] { 1, 2, 3 })
            Assert.False(lab.CanConnect(hosts.Ns(4), NebulaHosts.OverlayIp(n), 7000, TimeSpan.FromSeconds(3)), $"h4 -> h{n} must fail");
        Assert.False(lab.CanConnect(hosts.Ns(1), NebulaHosts.OverlayIp(4), 7000, TimeSpan.FromSeconds(3)), "h1 -> h4 must fail");
    }
}
