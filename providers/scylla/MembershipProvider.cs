using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Providers.Scylla;

/// <summary>
/// <c>scylla:index:Membership</c>: reconciles live membership on every <c>up</c>. Inputs:
/// <c>slots</c> [{slot, datacenter, ordinal, address, zeroToken?}], <c>replicationFactors</c> {dc: rf},
/// optional <c>failureDetectorTimeoutMs</c> (grace = 2x), optional <c>agentsAct</c> (node agents reconcile; up only waits). Diff always asks to reconcile and lists the actions it
/// would take as plan notes; Create/Update take them and wait for convergence; Read summarises the cluster.
/// Slots present in the old inputs but not the new ones are the deleted slots (decommission / remove).
/// </summary>
public sealed class MembershipProvider(MembershipProviderContext context) : IResourceProvider
{
    public const string Type = "scylla:index:Membership";
    private const string Id = "membership";

    internal MembershipProviderContext Context => context;

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var failures = new List<CheckFailure>();
        var slots = request.News.Get("slots")?.AsArray;
        if (slots is null || slots.Value.Length == 0) failures.Add(new CheckFailure("slots", "at least one slot is required"));
        else
        {
            foreach (var (item, i) in slots.Value.Select((v, i) => (v.AsMap, i)))
            {
                if (item is null) failures.Add(new CheckFailure($"slots[{i}]", "must be an object"));
                else
                    foreach (var key in new[] { "slot", "datacenter", "address" })
                        if (string.IsNullOrEmpty(item.GetString(key))) failures.Add(new CheckFailure($"slots[{i}].{key}", "is required"));
            }
            if (failures.Count == 0 && ParseSlots(request.News).GroupBy(s => s.Address).FirstOrDefault(g => g.Count() > 1) is { } dup)
                failures.Add(new CheckFailure("slots", $"address {dup.Key} is used by more than one slot"));
        }
        if (request.News.Get("replicationFactors")?.AsMap is null) failures.Add(new CheckFailure("replicationFactors", "a map of datacenter to RF is required"));
        return Task.FromResult(failures.Count == 0 ? CheckResult.Ok(request.News) : CheckResult.Fail(request.News, [.. failures]));
    }

    public async Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        var changed = DiffResult.ByInputs(request.OldInputs, request.NewInputs).ChangedKeys;
        List<string> notes;
        try
        {
            var (_, decision) = await Reconciler(request.OldInputs, request.NewInputs).PreviewAsync(cancellationToken);
            notes = decision.Converged ? ["membership matches the stack: nothing to do"] : decision.Actions.Select(a => a.ToString()).ToList();
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            notes = [$"cannot observe the cluster now ({e.Message}); up will observe and reconcile"];
        }
        return new DiffResult(true, changed, [], Notes: notes);
    }

    public async Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken) =>
        new(Id, await ReconcileAsync(PropertyMap.Empty, request.Inputs, cancellationToken));

    public async Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) =>
        new(await ReconcileAsync(request.OldInputs, request.NewInputs, cancellationToken));

    public async Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        var (view, decision) = await Reconciler(PropertyMap.Empty, request.Inputs).PreviewAsync(cancellationToken);
        return new ReadResult(request.Id, Summary(ParseSlots(request.Inputs), view, decision));
    }

    /// <summary>Membership has no life of its own: destroying the cluster's nodes removes it. Nothing to undo.</summary>
    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<PropertyMap> ReconcileAsync(PropertyMap olds, PropertyMap news, CancellationToken ct)
    {
        if (news.Get("agentsAct")?.AsBool == true) return await WaitForAgentsAsync(olds, news, ct);
        var reconciler = Reconciler(olds, news);
        var last = await reconciler.RunUntilConvergedAsync(round =>
        {
            if (round.Executed is { } a) context.Progress?.Invoke(a.ToString());
            else if (round.Error is { } e) context.Progress?.Invoke(e);
        }, ct);
        return Summary(reconciler.Spec.Slots, last.View!, last.Decision!);
    }

    /// <summary>
    /// With node agents deployed (input <c>agentsAct</c>), one of them is the actor (their own majority lease), so up
    /// never acts beside them: it observes until they have converged, says what they wait for, and fails on a refusal
    /// or the converge timeout.
    /// </summary>
    private async Task<PropertyMap> WaitForAgentsAsync(PropertyMap olds, PropertyMap news, CancellationToken ct)
    {
        var reconciler = Reconciler(olds, news);
        var deadline = context.Clock.GetUtcNow() + context.Options.ConvergeTimeout;
        string? said = null;
        while (true)
        {
            var (view, decision) = await reconciler.PreviewAsync(ct);
            if (decision.Converged) return Summary(reconciler.Spec.Slots, view, decision);
            if (decision.Refusal is { } refusal) throw new MembershipRefusedException(refusal.Reason);
            var waiting = string.Join("; ", decision.Actions.Select(a => a.ToString()));
            if (waiting != said) context.Progress?.Invoke($"waiting for the node agents: {said = waiting}");
            if (context.Clock.GetUtcNow() >= deadline)
                throw new TimeoutException($"the node agents did not converge membership within {context.Options.ConvergeTimeout}: {waiting}");
            await Task.Delay(context.Options.PollInterval, context.Clock, ct);
        }
    }

    private MembershipReconciler Reconciler(PropertyMap olds, PropertyMap news)
    {
        var slots = ParseSlots(news);
        var retired = ParseSlots(olds).Where(o => slots.All(s => s.Address != o.Address)).ToList();
        var rf = news.Get("replicationFactors")?.AsMap?.ToDictionary(kv => kv.Key, kv => (int)(kv.Value.AsNumber ?? 0)) ?? [];
        var fd = news.Get("failureDetectorTimeoutMs")?.AsNumber is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
        var spec = MembershipSpec.Create(slots, rf, fd) with { Retired = retired };
        return new MembershipReconciler(spec, new ClusterObserver(context.Http, context.Endpoints, context.Clock, context.Rest),
            context.Hooks, context.Lease, context.Journal, context.Clock, context.Options);
    }

    private static List<SlotSpec> ParseSlots(PropertyMap inputs) =>
        (inputs.Get("slots")?.AsArray ?? []).Select(v => v.AsMap).OfType<PropertyMap>()
            .Select(m => new SlotSpec(m.GetString("slot") ?? "", m.GetString("datacenter") ?? "", (int)(m.Get("ordinal")?.AsNumber ?? 0),
                m.GetString("address") ?? "", m.Get("zeroToken")?.AsBool ?? false))
            .ToList();

    private static PropertyMap Summary(IReadOnlyList<SlotSpec> slots, ClusterView view, MembershipDecision decision) =>
        PropertyMap.Of(
            ("converged", decision.Converged),
            ("nodes", PropertyValue.Array(view.Nodes.Select(n => (PropertyValue)PropertyMap.Of(
                ("slot", slots.FirstOrDefault(s => s.Address == n.Address)?.Slot is { } slot ? slot : PropertyValue.Null),
                ("address", n.Address),
                ("hostId", n.HostId is { } id ? id : PropertyValue.Null),
                ("status", $"{n.Status.ToString()[0]}{n.State.ToString()[0]}"),
                ("datacenter", n.Datacenter is { } dc ? dc : PropertyValue.Null))))),
            ("actions", PropertyValue.Array(decision.Actions.Select(a => (PropertyValue)a.ToString()))),
            ("disagreements", PropertyValue.Array(view.Disagreements.Select(d => (PropertyValue)d))));
}
