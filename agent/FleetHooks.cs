using System.Net.Http.Json;
using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Autoscaler;

namespace ScyllaApocryph.Agent;

/// <summary>
/// The hooks backend over the whole fleet of agents: instances are what each slot's agent reports, a boot instruction
/// goes to the slot's agent (carrying the actor's term, which that agent checks), and an instance that must be
/// recreated is asked of the Apocryph Autoscaler (TriggerNode) or, without one, reported for the operator's `up`.
/// </summary>
public sealed class FleetHooks(Func<AgentConfig> currentConfig, PeerClient peers, Func<InstanceReport> self, Func<long> term,
    Func<BootInstruction, long?, BootResponse> bootSelf, AgentMetrics metrics, Action<string> log) : IAutoscalerHooks
{
    public const string TermHeader = "X-Scylla-Apocryph-Term";

    private AgentConfig Config => currentConfig();

    public async Task<IReadOnlyList<InstanceReport>> ReportsAsync(CancellationToken ct)
    {
        var reports = await Task.WhenAll(Config.Slots.Select(s => s.Slot == Config.Slot
            ? Task.FromResult<InstanceReport?>(self())
            : peers.GetAsync<InstanceReport>(s, "v1/instance", ct)));
        var now = DateTimeOffset.UtcNow;
        foreach (var r in reports.OfType<InstanceReport>()) metrics.PeerSeen(r.Slot, now);
        // An agent of another cluster (a misrouted address) is not one of ours: its instance does not count.
        return reports.OfType<InstanceReport>().Where(r => r.Cluster == Config.Cluster).ToList();
    }

    public async Task<ListInstancesResponse> ListInstancesAsync(CancellationToken cancellationToken) =>
        new((await ReportsAsync(cancellationToken)).Select(r => new HookInstance(r.Slot, r.InstanceId, r.Phase,
            Config.Slots.First(s => s.Slot == r.Slot).Address)).ToList());

    public async Task<BootResponse> BootAsync(BootInstruction instruction, CancellationToken cancellationToken)
    {
        var t = term();
        if (instruction.Slot == Config.Slot) return bootSelf(instruction, t == 0 ? null : t);
        var target = Config.Slots.FirstOrDefault(s => s.Slot == instruction.Slot)
            ?? throw new InvalidOperationException($"boot: slot {instruction.Slot} is not one of the stack's slots");
        using var request = new HttpRequestMessage(HttpMethod.Post, peers.UrlOf(target, "hooks/v1/boot"))
        {
            Content = JsonContent.Create(instruction, options: AgentConfig.Json),
        };
        if (t != 0) request.Headers.Add(TermHeader, t.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await peers.Http.SendAsync(request, cancellationToken);
        return await response.Content.ReadFromJsonAsync<BootResponse>(AgentConfig.Json, cancellationToken)
            ?? new BootResponse(false, $"HTTP {(int)response.StatusCode} without a body");
    }

    public async Task<InstanceFailedResponse> ReportInstanceFailedAsync(InstanceFailedRequest request, CancellationToken cancellationToken)
    {
        metrics.InstanceNeeded(request.Slot, true);
        if (Config.Autoscaler is not { } a)
        {
            log($"slot {request.Slot} needs a new instance ({request.Reason}); no autoscaler is configured: the operator's `up` recreates it");
            return new InstanceFailedResponse(false);
        }
        var client = new AutoscalerConnectClient(peers.Http, new Uri(a.Endpoint.TrimEnd('/') + "/"));
        var answer = await client.TriggerNodeAsync(new ConnectClusterRequest(a.NodeGateway, a.Servers, a.TimeoutSeconds), cancellationToken);
        log($"slot {request.Slot} needs a new instance ({request.Reason}): asked the autoscaler (TriggerNode), peer {answer.PeerID ?? "?"}");
        return new InstanceFailedResponse(true, answer.PeerID);
    }

    public Task<InstanceAddedResponse> InstanceAddedAsync(InstanceAddedRequest request, CancellationToken cancellationToken)
    {
        metrics.InstanceNeeded(request.Slot, false);
        return Task.FromResult(new InstanceAddedResponse(true));
    }

    /// <summary>Slots whose instance is gone and whose node is dead: they need a new instance.</summary>
    public static IEnumerable<string> Missing(AgentConfig config, ClusterView view, IReadOnlyList<InstanceReport> reports, ObservationHistory history,
        TimeSpan grace) =>
        config.Slots.Where(s => reports.All(r => r.Slot != s.Slot))
            .Where(s => view.At(s.Address) is { Status: NodeStatus.Down } && history.DownFor(s.Address) >= grace)
            .Select(s => s.Slot);
}
