using ScyllaApocryph.Components.Cluster;
using System.Diagnostics;
using ScyllaApocryph.Components.Mesh;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Nebula;

namespace ScyllaApocryph.Tests.Nebula;

/// <summary>
/// Hosts 1..3 form the cluster (one CA, group "scylla"); host 4 has a certificate from another CA with the same
/// group and its own overlay address. Certificates come from this project's providers, configs from its planner
/// and renderer; every config passes <c>nebula -test</c> before the real nebula starts in the host's namespace.
/// </summary>
public sealed class NebulaHosts : IDisposable
{
    public const string ClusterGroup = "scylla";
    private const string OverlayCidr = "10.42.0.0/16";

    private readonly Dictionary<int, Process> _nebula = [];
    private readonly Dictionary<int, (NebulaNodeConfig Config, PropertyMap Cert, string CaPem)> _hosts = [];

    public NebulaHosts(int clusterHosts = 3, bool foreignHost = true)
    {
        Lab = new NetnsLab();
        try
        {
            var tool = new NebulaCertTool();
            var ca = CreateCa("cluster-ca");
            var foreignCa = foreignHost ? CreateCa("foreign-ca") : null;

            // h1 and h2 in dc1, h3 in dc2: h1 and h3 become lighthouses, h2 finds the others through them.
            var nodes = Enumerable.Range(1, clusterHosts).Select(n => Node(n, n == 3 ? "dc2" : "dc1")).ToList();
            var configs = NebulaMeshPlanner.Plan(new NebulaMeshSpec(nodes, ClusterGroup));
            foreach (var (config, n) in configs.Select((c, i) => (c, i + 1)))
                _hosts[n] = (config, Issue(ca, $"h{n}", n), ca.GetString("cert")!);
            if (foreignCa is not null)
            {
                var n = clusterHosts + 1;
                var config = NebulaMeshPlanner.Plan(new NebulaMeshSpec([.. nodes, Node(n, "dc1")], ClusterGroup)).Last();
                _hosts[n] = (config, Issue(foreignCa, $"h{n}", n), foreignCa.GetString("cert")!);
            }
            foreach (var n in _hosts.Keys) Lab.AddHost(n);
            foreach (var n in _hosts.Keys) StartNebula(n, []);
            foreach (var n in _hosts.Keys) WaitForTun(n);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public NetnsLab Lab { get; }

    public IEnumerable<int> Hosts => _hosts.Keys;

    public string Ns(int n) => $"sap{Lab.Id}h{n}";

    public static string OverlayIp(int n) => Topology.OverlayIp(OverlayCidr, 1, n - 1);

    public string Fingerprint(int n) => _hosts[n].Cert.GetString("fingerprint")!;

    public string RenderedConfig(int n, IReadOnlyList<string> blocklist) => Render(n, blocklist);

    /// <summary>Restarts host n's nebula with a new blocklist (what a redeploy of its config does).</summary>
    public void Restart(int n, IReadOnlyList<string> blocklist)
    {
        if (_nebula.Remove(n, out var p)) Lab.Stop(p);
        Lab.WaitUntil(() => Lab.Exec(Ns(n), TimeSpan.FromSeconds(5), "ip", "link", "show", "nebula1") != 0, TimeSpan.FromSeconds(10));
        StartNebula(n, blocklist);
        WaitForTun(n);
    }

    /// <summary>Stops host n's nebula for good (the node left the stack).</summary>
    public void StopNebula(int n)
    {
        if (_nebula.Remove(n, out var p)) Lab.Stop(p);
    }

    private void StartNebula(int n, IReadOnlyList<string> blocklist)
    {
        var path = Path.Combine(Lab.WorkDir, $"h{n}.yml");
        File.WriteAllText(path, Render(n, blocklist));
        var test = Lab.Run("nebula", ["-test", "-config", path], TimeSpan.FromSeconds(20));
        if (test.ExitCode != 0) throw new InvalidOperationException($"nebula -test rejected h{n}'s config: {test.Output}");
        _nebula[n] = Lab.Start(Ns(n), "nebula", "-config", path);
    }

    private void WaitForTun(int n)
    {
        if (!Lab.WaitUntil(() => Lab.Exec(Ns(n), TimeSpan.FromSeconds(5), "ip", "link", "show", "nebula1") == 0, TimeSpan.FromSeconds(15)))
            throw new InvalidOperationException($"nebula in h{n} did not bring up its tun device\n{Lab.Log}");
    }

    private string Render(int n, IReadOnlyList<string> blocklist)
    {
        var (config, cert, caPem) = _hosts[n];
        var pki = new NebulaPki(caPem, cert.GetString("cert")!, cert.Get("key")!.Reveal().AsString!, blocklist);
        return NebulaConfigRenderer.Render(config with { LogLevel = "info" }, pki);
    }

    private static NebulaMeshNode Node(int n, string dc) => new($"h{n}", dc, OverlayIp(n), NetnsLab.Underlay(n));

    private static PropertyMap CreateCa(string name)
    {
        var provider = new NebulaCertificateAuthorityProvider();
        var urn = Urn.Create("test", "pki", null, NebulaCertificateAuthorityProvider.Type, name);
        var check = provider.CheckAsync(new CheckRequest(urn, NebulaCertificateAuthorityProvider.Type, PropertyMap.Empty,
            PropertyMap.Of(("name", name), ("duration", "2d"))), default).Result;
        Assert.Empty(check.Failures);
        return provider.CreateAsync(new CreateRequest(urn, NebulaCertificateAuthorityProvider.Type, check.Inputs), default).Result.Outputs;
    }

    private static PropertyMap Issue(PropertyMap ca, string name, int n)
    {
        var provider = new NebulaCertificateProvider();
        var urn = Urn.Create("test", "pki", null, NebulaCertificateProvider.Type, name);
        var inputs = PropertyMap.Of(
            ("name", name),
            ("ip", OverlayIp(n) + "/16"),
            ("groups", PropertyValue.Array(ClusterGroup, n == 3 ? "dc2" : "dc1")),
            ("duration", "1d"),
            ("renewBefore", "1h"),
            ("caCert", ca["cert"]),
            ("caKey", ca["key"]));
        var check = provider.CheckAsync(new CheckRequest(urn, NebulaCertificateProvider.Type, PropertyMap.Empty, inputs), default).Result;
        Assert.Empty(check.Failures);
        return provider.CreateAsync(new CreateRequest(urn, NebulaCertificateProvider.Type, check.Inputs), default).Result.Outputs;
    }

    public void Dispose() => Lab.Dispose();
}
