using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Components;
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
/// <remarks>
/// The REST API is reachable only over the overlay, as the operator group, and the operator's certificate is an
/// output of the same <c>up</c> that first creates the nodes. So while no node has ever answered (outputs
/// <c>reached</c> false) and none answers now, Create and Update act on nothing, wait for nothing, and succeed with
/// <c>status</c> saying what the operator must do; once a node has answered, an unreachable cluster is a failure to
/// wait out as usual.
/// </remarks>
public sealed class MembershipProvider(MembershipProviderContext context) : IResourceProvider
{
    public const string Type = ResourceTypes.Membership;
    private const string Id = "membership";

    /// <summary>The <c>status</c> output while no node has ever answered.</summary>
    public const string NeverReachedStatus =
        "no node has answered on the Nebula overlay yet, so membership took no action. Its REST API is reachable only from " +
        "the overlay, as the operator group: save nebulaCaCertificate, operatorNebulaCertificate, operatorNebulaKey and " +
        "operatorNebulaConfig from `stack output --show-secrets`, start nebula with that config on this machine, and run " +
        "`up` again once the nodes have started (README: \"First up with membership\")";

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
            var reconciler = Reconciler(request.OldInputs, request.NewInputs);
            // As up does: a stack no node of which ever answered is told what the operator must do (the hooks, served
            // beside the nodes, are not asked then).
            if (!EverReached(request.OldOutputs) && (await FirstContactAsync(reconciler.Spec, cancellationToken)).Reachable.Count == 0)
                return new DiffResult(true, changed, [], Notes: [NeverReachedStatus]);
            var (_, decision) = await reconciler.PreviewAsync(cancellationToken);
            notes = decision.Converged ? ["membership matches the stack: nothing to do"] : decision.Actions.Select(a => a.ToString()).ToList();
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            notes = [$"cannot observe the cluster now ({e.Message}); up will observe and reconcile"];
        }
        return new DiffResult(true, changed, [], Notes: notes);
    }

    public async Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken) =>
        new(Id, await ReconcileAsync(PropertyMap.Empty, PropertyMap.Empty, request.Inputs, cancellationToken));

    public async Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) =>
        new(await ReconcileAsync(request.OldInputs, request.OldOutputs, request.NewInputs, cancellationToken));

    public async Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        var (view, decision) = await Reconciler(PropertyMap.Empty, request.Inputs).PreviewAsync(cancellationToken);
        return new ReadResult(request.Id, Summary(ParseSlots(request.Inputs), view, decision, EverReached(request.Outputs) || view.Reachable.Count > 0));
    }

    /// <summary>Membership has no life of its own: destroying the cluster's nodes removes it. Nothing to undo.</summary>
    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<PropertyMap> ReconcileAsync(PropertyMap olds, PropertyMap oldOutputs, PropertyMap news, CancellationToken ct)
    {
        var reconciler = Reconciler(olds, news);
        if (!EverReached(oldOutputs))
        {
            var first = await FirstContactAsync(reconciler.Spec, ct);
            if (first.Reachable.Count == 0)
            {
                context.Progress?.Invoke(NeverReachedStatus);
                return Summary(reconciler.Spec.Slots, first, new MembershipDecision([], false, IntentOutcome.None), reached: false);
            }
        }
        // With agents the first contact above still applies: a stack no node of which ever answered is told what to do.
        if (news.Get("agentsAct")?.AsBool == true) return await WaitForAgentsAsync(olds, news, ct);
        var last = await reconciler.RunUntilConvergedAsync(round =>
        {
            if (round.Executed is { } a) context.Progress?.Invoke(a.ToString());
            else if (round.Error is { } e) context.Progress?.Invoke(e);
        }, ct);
        return Summary(reconciler.Spec.Slots, last.View!, last.Decision!, reached: true);
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
            if (decision.Converged) return Summary(reconciler.Spec.Slots, view, decision, reached: true);
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
        return new MembershipReconciler(spec, Observer(), context.Hooks, context.Lease, context.Journal, context.Clock, context.Options);
    }

    /// <summary>One observation of every slot's node, without the hooks: does any node answer at all?</summary>
    private Task<ClusterView> FirstContactAsync(MembershipSpec spec, CancellationToken ct) =>
        Observer().ObserveAsync(spec.Slots.Concat(spec.Retired).Select(s => s.Address), ct);

    private ClusterObserver Observer() => new(context.Http, context.Endpoints, context.Clock, context.Rest, context.Names);

    /// <summary>
    /// Whether an earlier run saw a node answer: recorded as <c>reached</c>, or (outputs of a build before that
    /// output existed) any node observed with a host ID.
    /// </summary>
    private static bool EverReached(PropertyMap outputs) =>
        outputs.Get("reached")?.AsBool ?? (outputs.Get("nodes")?.AsArray ?? []).Any(n => n.AsMap?.GetString("hostId") is not null);

    private static List<SlotSpec> ParseSlots(PropertyMap inputs) =>
        (inputs.Get("slots")?.AsArray ?? []).Select(v => v.AsMap).OfType<PropertyMap>()
            .Select(m => new SlotSpec(m.GetString("slot") ?? "", m.GetString("datacenter") ?? "", (int)(m.Get("ordinal")?.AsNumber ?? 0),
                m.GetString("address") ?? "", m.Get("zeroToken")?.AsBool ?? false))
            .ToList();

    private static string Status(MembershipDecision decision, bool reached)
    {
        if (!reached) return NeverReachedStatus;
        if (decision.Converged) return "converged";
        return decision.Actions.Count > 0 ? string.Join("; ", decision.Actions.Select(a => a.ToString())) : "not converged";
    }

    /// <param name="reached">Whether a node has ever answered, this time or before (it stays true once it is).</param>
    private static PropertyMap Summary(IReadOnlyList<SlotSpec> slots, ClusterView view, MembershipDecision decision, bool reached) =>
        PropertyMap.Of(
            ("converged", decision.Converged),
            ("reached", reached),
            ("status", Status(decision, reached)),
            ("nodes", PropertyValue.Array(view.Nodes.Select(n => (PropertyValue)PropertyMap.Of(
                ("slot", slots.FirstOrDefault(s => s.Address == n.Address)?.Slot is { } slot ? slot : PropertyValue.Null),
                ("address", n.Address),
                ("hostId", n.HostId is { } id ? id : PropertyValue.Null),
                ("status", $"{n.Status.ToString()[0]}{n.State.ToString()[0]}"),
                ("datacenter", n.Datacenter is { } dc ? dc : PropertyValue.Null))))),
            ("actions", PropertyValue.Array(decision.Actions.Select(a => (PropertyValue)a.ToString()))),
            ("disagreements", PropertyValue.Array(view.Disagreements.Select(d => (PropertyValue)d))));
}
