using System.Diagnostics;
using ScyllaApocryph.Tests.Pki;

namespace ScyllaApocryph.Tests.Nebula;

[Collection(NetnsCollection.Name)]
public sealed class NetnsLeftoversTests : IDisposable
{
    private const string DeadOwner = "999999999 1";

    private readonly string _markers = Directory.CreateTempSubdirectory("sa-netns-markers-").FullName;

    public void Dispose() => Directory.Delete(_markers, true);

    private void Marker(string id, string owner, params string[] namespaces) =>
        File.WriteAllLines(Path.Combine(_markers, id), [owner, .. namespaces]);

    [Fact]
    public void Only_the_records_of_runs_whose_process_is_gone_are_leftovers_and_only_their_own_namespaces()
    {
        Marker("aaaaaa", NetnsLeftovers.Owner(), "sapaaaaaasw", "sapaaaaaah1");
        Marker("bbbbbb", DeadOwner, "sapbbbbbbsw", "sapbbbbbbh1", "sapaaaaaah1", "eth0", "sapbbbbbbh1");
        File.WriteAllText(Path.Combine(_markers, "cccccc"), ""); // being written by a lab starting right now
        File.WriteAllText(Path.Combine(_markers, "not-a-lab"), DeadOwner + "\nsapbbbbbbh2\n");

        var leftover = Assert.Single(NetnsLeftovers.Find(_markers, NetnsLeftovers.IsAlive));

        Assert.Equal("bbbbbb", leftover.Id);
        Assert.Equal(["sapbbbbbbsw", "sapbbbbbbh1"], leftover.Namespaces);
    }

    [Fact]
    public void An_owner_is_alive_only_with_the_same_process_id_and_start_time()
    {
        var pid = Environment.ProcessId;

        Assert.True(NetnsLeftovers.IsAlive(NetnsLeftovers.Owner()));
        Assert.False(NetnsLeftovers.IsAlive($"{pid} 0")); // the id reused by another process
        Assert.False(NetnsLeftovers.IsAlive(DeadOwner));
        Assert.False(NetnsLeftovers.IsAlive("garbage"));
    }

    [NetnsFact]
    public void A_new_lab_removes_the_namespaces_and_processes_a_killed_run_left_but_not_those_of_a_live_run()
    {
        var dead = "sap" + Guid.NewGuid().ToString("N")[..6];
        var live = "sap" + Guid.NewGuid().ToString("N")[..6];
        Process? stray = null;
        try
        {
            Marker(dead[3..], DeadOwner, dead + "sw");
            Marker(live[3..], NetnsLeftovers.Owner(), live + "sw");
            Assert.Equal(0, Ip("netns", "add", dead + "sw"));
            Assert.Equal(0, Ip("netns", "add", live + "sw"));
            stray = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", dead + "sw", "sleep", "300"]))!;

            using (new NetnsLab(_markers))
            {
                Assert.False(NetnsLab.Exists(dead + "sw"));
                Assert.True(stray.WaitForExit(5000), "the process left inside the dead run's namespace is ended");
                Assert.False(File.Exists(Path.Combine(_markers, dead[3..])));
                Assert.True(NetnsLab.Exists(live + "sw"));
            }
        }
        finally
        {
            if (stray is { HasExited: false }) stray.Kill();
            stray?.Dispose();
            Ip("netns", "del", dead + "sw");
            Ip("netns", "del", live + "sw");
        }
    }

    private static int Ip(params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo("ip", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        p.WaitForExit(15_000);
        return p.ExitCode;
    }
}
