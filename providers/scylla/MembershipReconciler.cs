using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Autoscaler;

namespace ScyllaApocryph.Providers.Scylla;

/// <summary>
/// The executor around the pure decider. One round: take the lease -> observe -> record history -> decide ->
/// settle or keep the intent -> (re-check the lease) record intent -> issue at most one topology action -> mark issued.
/// </summary>
public sealed class MembershipReconciler(
    MembershipSpec spec,
    ClusterObserver observer,
    IAutoscalerHooks hooks,
    IReconcilerLease lease,
    IIntentJournal journal,
    TimeProvider clock,
    ReconcilerOptions options)
{
    public ObservationHistory History { get; } = new(spec.MaxPollGap);

    /// <summary>
    /// Host IDs banned by removenodes this reconciler saw return (see <see cref="TopologyIntent.BannedHostIds"/>). The cluster's REST
    /// API does not list them, and they outlive the intent, so they are remembered here; a new reconciler starts without
    /// them and its majority gate errs towards refusing.
    /// </summary>
    private readonly HashSet<string> _banned = new(StringComparer.Ordinal);

    public MembershipSpec Spec => spec;

    /// <summary>
    /// Observes once and decides, without the lease and without acting or writing anything: what <c>preview</c> shows.
    /// A node seen down is shown with the action <c>up</c> will take once the grace period is met (see <see cref="DecisionInput.Preview"/>).
    /// </summary>
    public async Task<(ClusterView View, MembershipDecision Decision)> PreviewAsync(CancellationToken ct)
    {
        var view = await ObserveAsync(ct);
        var history = new ObservationHistory(spec.MaxPollGap); // this reconciler's own history is for acting, and stays untouched
        history.Record(view);
        var decision = MembershipDecider.Decide(new DecisionInput(spec, view, await InstancesAsync(ct), history,
            await journal.LoadAsync(ct), clock.GetUtcNow(), Preview: true, Banned: _banned));
        return (view, decision);
    }

    public async Task<ReconcileRound> ReconcileOnceAsync(CancellationToken ct)
    {
        if (!await lease.TryAcquireAsync(options.Holder, options.LeaseTtl, ct)) return ReconcileRound.NotLeader(await lease.HolderAsync(ct));
        var view = await ObserveAsync(ct);
        History.Record(view);
        var intent = await journal.LoadAsync(ct);
        var decision = MembershipDecider.Decide(new DecisionInput(spec, view, await InstancesAsync(ct), History, intent, clock.GetUtcNow(),
            Banned: _banned));
        if (decision.Intent == IntentOutcome.Settled) await journal.ClearAsync(ct);
        if (decision.NextTopologyChange is not { } action) return new ReconcileRound(true, view, decision, null);

        // Observation took time: make sure the lease is still ours before touching the cluster.
        if (!await lease.TryAcquireAsync(options.Holder, options.LeaseTtl, ct)) return ReconcileRound.NotLeader(await lease.HolderAsync(ct));
        var record = TopologyIntent.For(action, clock.GetUtcNow()); // a re-driven intent starts its visibility window again
        await journal.SaveAsync(record, ct); // write-ahead: a crash after this point is detected on resume

        // removenode and decommission block until done (minutes or more): keep renewing the lease meanwhile, so no other
        // reconciler takes it and acts on a cluster this one is still changing.
        using var stopRenewing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewal = KeepLeaseAsync(stopRenewing.Token);
        string? transportError = null;
        string? refused = null;
        try
        {
            await ExecuteAsync(action, view, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            // The request may or may not have reached the cluster; the unacknowledged intent makes the next round find out.
            transportError = $"{action.Kind} failed in transport: {e.Message}";
        }
        catch (ScyllaRestException e)
        {
            // The cluster answered: the operation failed or was cancelled (ScyllaDB 2025.1 answers HTTP 500, e.g. "Canceled.
            // Dead nodes: {...}" when a node died while the request waited its turn). Nothing of it is left to wait for.
            refused = $"{action.Kind} failed: {e.Message}";
        }
        finally
        {
            stopRenewing.Cancel(); // here, not on the thread pool (CancelAsync): the renewal loop ends before we go on
        }
        if (await renewal is { } lost)
        {
            // Someone else may be in charge now (and of the journal): stop here, touch nothing more, and say so.
            return new ReconcileRound(true, view, decision, transportError is null ? action : null,
                $"lost the lease while {action.Kind.ToString().ToLowerInvariant()} ran ({lost}); stopping before any further action" +
                (transportError is null ? "" : $"; {transportError}"), LeaseLost: true);
        }
        if (transportError is not null) return new ReconcileRound(true, view, decision, null, transportError);
        if (refused is not null)
        {
            await journal.ClearAsync(ct);
            return new ReconcileRound(true, view, decision, null, refused);
        }
        var issued = record with { Issued = true };
        await journal.SaveAsync(issued, ct);
        _banned.UnionWith(issued.BannedHostIds());
        return new ReconcileRound(true, view, decision, action);
    }

    /// <summary>Renews the lease every third of its TTL until <paramref name="stop"/>; returns why it was lost, or null if it never was.</summary>
    private async Task<string?> KeepLeaseAsync(CancellationToken stop)
    {
        var every = options.LeaseTtl / 3;
        while (true)
        {
            try
            {
                await ClockDelay.Wait(clock, every, stop);
                if (!await lease.TryAcquireAsync(options.Holder, options.LeaseTtl, stop))
                    return $"{await lease.HolderAsync(CancellationToken.None) ?? "another reconciler"} holds it now";
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e)
            {
                return $"renewing it failed: {e.Message}";
            }
        }
    }

    /// <summary>Rounds until converged; throws on refusal or timeout. <paramref name="progress"/> sees every round.</summary>
    public async Task<ReconcileRound> RunUntilConvergedAsync(Action<ReconcileRound>? progress, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + options.ConvergeTimeout;
        try
        {
            while (true)
            {
                var round = await ReconcileOnceAsync(ct);
                progress?.Invoke(round);
                if (round.Decision?.Refusal is { } refusal) throw new MembershipRefusedException(refusal.Reason);
                if (round.LeaseLost) throw new InvalidOperationException($"membership reconciliation stopped: {round.Error}");
                if (round.Decision?.Converged == true) return round;
                if (clock.GetUtcNow() >= deadline)
                    throw new TimeoutException($"membership did not converge within {options.ConvergeTimeout}: " +
                        string.Join("; ", round.Decision?.Actions.Select(a => a.ToString()) ?? []));
                await ClockDelay.Wait(clock, options.PollInterval, ct);
            }
        }
        finally
        {
            await lease.ReleaseAsync(options.Holder, CancellationToken.None);
        }
    }

    /// <summary>Every address worth asking: desired and retired slots (members are found through their gossip).</summary>
    private Task<ClusterView> ObserveAsync(CancellationToken ct) =>
        observer.ObserveAsync(spec.Slots.Concat(spec.Retired).Select(s => s.Address), ct);

    private async Task<IReadOnlyList<InstanceView>> InstancesAsync(CancellationToken ct) =>
        (await hooks.ListInstancesAsync(ct)).Instances.Select(i => new InstanceView(i.Slot, i.Phase, i.InstanceId)).ToList();

    private async Task ExecuteAsync(MembershipAction action, ClusterView view, CancellationToken ct)
    {
        var seeds = view.Nodes.Where(n => n.IsUpNormal && !n.Disputed && n.Address != action.Address).Select(n => n.Address)
            .Order(StringComparer.Ordinal).Take(options.Seeds).ToList();
        switch (action.Kind)
        {
            case ActionKind.Join:
            case ActionKind.Replace:
                var boot = await hooks.BootAsync(new BootInstruction(action.Slot!, action.Kind == ActionKind.Join ? BootMode.Fresh : BootMode.Replace,
                    action.HostId, seeds, action.IgnoreHostIds ?? []), ct);
                if (!boot.Accepted) throw new InvalidOperationException($"slot {action.Slot}: boot instruction refused: {boot.Error}");
                break;
            case ActionKind.Remove:
                // removenode runs on any live member; the first ready one by address, deterministically.
                var coordinator = seeds.FirstOrDefault() ?? throw new InvalidOperationException("no ready node to coordinate removenode");
                var client = await observer.ClientForAsync(coordinator, ct) ?? throw new InvalidOperationException($"{coordinator} unreachable");
                await client.RemoveNodeAsync(action.HostId!, action.IgnoreHostIds ?? [], ct);
                break;
            case ActionKind.Decommission:
                var self = await observer.ClientForAsync(action.Address!, ct) ?? throw new InvalidOperationException($"{action.Address} unreachable");
                await self.DecommissionAsync(ct);
                break;
            default:
                throw new InvalidOperationException($"{action.Kind} is not a topology change");
        }
    }
}
