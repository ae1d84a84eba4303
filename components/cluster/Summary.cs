using System.Text;
using ScyllaApocryph.Components.Compose;

namespace ScyllaApocryph.Components.Cluster;

/// <summary>A human summary of the rendered cluster, written beside the compose file.</summary>
public static class Summary
{
    public const string ApocryphManifestNote =
        "No `apocryph-pod.json` was written: in nebula mode ScyllaDB talks over the Nebula overlay, and an Apocryph " +
        "pod gets no UDP port, no capability and no TUN device to run Nebula in. Use security `tls` for nodes on Apocryph.";

    public static string Markdown(Topology topology, IReadOnlyList<NodePlan> plans)
    {
        var cluster = topology.Cluster;
        var text = new StringBuilder()
            .Append($"# {cluster.Name}\n\n")
            .Append($"Image `{cluster.Image}`, security `{cluster.Security.ToString().ToLowerInvariant()}`, ")
            .Append($"{plans.Count} nodes in {plans.Select(p => p.Slot.Datacenter).Distinct().Count()} datacenters.\n\n")
            .Append("| node | provider | datacenter | rack | address | ports | seed | role |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var p in plans)
        {
            text.Append($"| {p.Slot.Name} | {p.Slot.Provider} | {p.Slot.Datacenter} | {p.Slot.Rack} | {p.Slot.Address} | ")
                .Append(string.Join(", ", p.Ports.Select(port => $"{port.Port} {port.Name}")))
                .Append($" | {(topology.IsSeed(p.Slot) ? "yes" : "no")} | {(p.Slot.IsArbiter ? "arbiter" : "data")} |\n");
        }
        if (!Apocryph.ApocryphPodManifest.CanWork(cluster)) text.Append('\n').Append(ApocryphManifestNote).Append('\n');
        text.Append("\n```\n");
        foreach (var line in TrialInstructions.Lines(topology, ".")) text.Append(line).Append('\n');
        text.Append("```\n");
        return text.ToString();
    }
}
