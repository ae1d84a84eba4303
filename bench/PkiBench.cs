using System.Diagnostics;
using ScyllaApocryph.Providers.Nebula;
using ScyllaApocryph.Providers.Tls;

namespace ScyllaApocryph.Bench;

/// <summary>Time to issue one CA and 100 node certificates, with nebula-cert and with System.Security.Cryptography.</summary>
public sealed class PkiBench : IBenchmark
{
    private const int Nodes = 100;

    public string Name => "pki";

    public string Description => $"issue a CA + {Nodes} node certificates (Nebula via nebula-cert, TLS ECDSA P-256)";

    public Task RunAsync(string[] args)
    {
        var tool = new NebulaCertTool();
        if (tool.IsAvailable())
        {
            var clock = Stopwatch.StartNew();
            var ca = tool.CreateCa("bench-ca", TimeSpan.FromDays(365));
            var caTime = clock.Elapsed;
            for (var i = 0; i < Nodes; i++)
                tool.Sign(ca, $"node-{i}", $"10.42.{i / 250}.{i % 250 + 1}/16", ["scylla", "dc1"], TimeSpan.FromDays(90));
            clock.Stop();
            Report("nebula", caTime, clock.Elapsed);
        }
        else
        {
            Console.WriteLine("nebula: skipped (nebula-cert is not installed)");
        }

        TlsIssuer.CreateCa("warm-up", TimeSpan.FromDays(1), DateTimeOffset.UtcNow); // JIT and provider load out of the figure
        var tlsClock = Stopwatch.StartNew();
        var now = DateTimeOffset.UtcNow;
        var tlsCa = TlsIssuer.CreateCa("bench-ca", TimeSpan.FromDays(3650), now);
        var tlsCaTime = tlsClock.Elapsed;
        for (var i = 0; i < Nodes; i++)
            TlsIssuer.Issue(tlsCa, new TlsCertificateRequest($"node-{i}", TlsCertificateUsage.Node,
                [$"node-{i}.scylla.local"], [$"10.42.0.{i + 1}"], TimeSpan.FromDays(365)), now);
        tlsClock.Stop();
        Report("tls", tlsCaTime, tlsClock.Elapsed);
        return Task.CompletedTask;
    }

    private static void Report(string kind, TimeSpan ca, TimeSpan total) =>
        Console.WriteLine($"{kind}: CA {ca.TotalMilliseconds:0.0} ms; CA + {Nodes} node certificates {total.TotalMilliseconds:0} ms " +
                          $"({(total - ca).TotalMilliseconds / Nodes:0.00} ms per certificate)");
}
