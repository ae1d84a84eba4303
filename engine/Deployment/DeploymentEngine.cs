using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Engine.Deployment;

/// <summary>
/// Plans and applies a desired <see cref="ResourceGraph"/> against a stack's state. Preview and up share one
/// walk: each resource is decided (check, diff) once its dependencies are done, so references resolve to real
/// outputs during up and to "(known after apply)" during preview. Deletions run last, in reverse dependency order.
/// </summary>
/// <param name="inlineSteps">Start each resource's steps on the calling thread, not the thread pool: for a caller that must
/// own every thread its providers run on (a test on simulated time). Steps still overlap wherever they await.</param>
public sealed class DeploymentEngine(ProviderRegistry providers, IDeploymentObserver? observer = null, int parallelism = 16,
    bool inlineSteps = false)
{
    private readonly IDeploymentObserver _observer = observer ?? NullObserver.Instance;

    /// <summary>Computes the plan without changing anything.</summary>
    public Task<DeploymentResult> PreviewAsync(ResourceGraph desired, StackState state, CancellationToken cancellationToken = default) =>
        new Run(this, state, null, cancellationToken).UpdateAsync(desired);

    /// <summary>
    /// Applies the desired graph, journaling every step to <paramref name="store"/>. With <paramref name="confirmed"/>,
    /// a step outside that plan fails without being taken (its dependents are skipped).
    /// </summary>
    public async Task<DeploymentResult> UpAsync(ResourceGraph desired, StateStore store, CancellationToken cancellationToken = default,
        ConfirmedPlan? confirmed = null)
    {
        try
        {
            return await new Run(this, store.State, store, cancellationToken) { Confirmed = confirmed }.UpdateAsync(desired);
        }
        finally
        {
            store.Checkpoint();
        }
    }

    /// <summary>Deletes everything the stack holds, dependents first. Refuses up front if anything is protected.</summary>
    public async Task<DeploymentResult> DestroyAsync(StackState state, StateStore? store, CancellationToken cancellationToken = default)
    {
        var protectedOnes = state.Live.Where(r => r.Protect).Select(r => r.Urn.Name).ToList();
        if (protectedOnes.Count > 0)
            throw new ProtectedResourceException(
                $"cannot destroy: {string.Join(", ", protectedOnes)} {(protectedOnes.Count == 1 ? "is" : "are")} protected. " +
                "Remove the protect option from the program and run up, then destroy.");
        try
        {
            var result = await new Run(this, state, store, cancellationToken).DeleteAsync(_ => true);
            if (store is not null && result.Succeeded && state.Outputs.Count > 0) store.SetOutputs(PropertyMap.Empty);
            return result with { Outputs = state.Outputs };
        }
        finally
        {
            store?.Checkpoint();
        }
    }

    /// <summary>Reads every resource from its provider and records drift (changed outputs, resources gone).</summary>
    public async Task<DeploymentResult> RefreshAsync(StateStore store, CancellationToken cancellationToken = default)
    {
        try
        {
            return await new Run(this, store.State, store, cancellationToken).RefreshAsync();
        }
        finally
        {
            store.Checkpoint();
        }
    }

    /// <summary>The state of one preview / up / destroy / refresh.</summary>
    private sealed class Run(DeploymentEngine engine, StackState state, StateStore? store, CancellationToken cancellationToken)
    {
        private readonly ConcurrentDictionary<Urn, PropertyMap?> _outputs = new(); // null: not known until apply
        private readonly ConcurrentQueue<StepOutcome> _outcomes = new();
        private ExceptionDispatchInfo? _fatal;
        private bool Preview => store is null;

        public ConfirmedPlan? Confirmed { get; init; }

        public async Task<DeploymentResult> UpdateAsync(ResourceGraph desired)
        {
            var byUrn = desired.Resources.ToDictionary(r => r.Urn);
            var results = await DagRunner.RunAsync(
                desired.Resources,
                r => r.Dependencies.Select(d => byUrn[d]),
                r => Guard(r.Urn, r.Type, r.Provider, () => ApplyOne(r)),
                r => Skipped(new Step(StepKind.Same, r.Urn, r.Type, r.Provider, [], []), "a resource it depends on failed"),
                engine.Parallelism(), engine.InlineSteps);
            _fatal?.Throw();

            var mainOk = results.Values.All(o => o == NodeOutcome.Succeeded);
            // Report in declaration order, not in the order parallel steps happened to finish.
            var order = desired.Resources.Select((r, i) => (r.Urn, i)).ToDictionary(x => x.Urn, x => x.i);
            var main = _outcomes.OrderBy(o => order.GetValueOrDefault(o.Step.Urn, int.MaxValue)).ToList();
            _outcomes.Clear();
            await DeleteAsync(r => !byUrn.ContainsKey(r.Urn) || r.Delete, desiredPending: byUrn.Keys.ToHashSet());

            var outputs = state.Outputs;
            if (mainOk)
            {
                outputs = desired.Outputs.MapValues(v => Resolve(v));
                if (!Equals(outputs, state.Outputs)) store?.SetOutputs(outputs);
            }
            return new DeploymentResult([.. main, .. _outcomes], outputs);
        }

        public async Task<DeploymentResult> DeleteAsync(Func<ResourceState, bool> select, HashSet<Urn>? desiredPending = null)
        {
            var before = _outcomes.Count;
            // An interrupted create of a resource that is no longer wanted may have created it, and an interrupted delete
            // of one already gone from the state may not have finished: look each up (never create it), then delete it.
            var orphans = Orphans()
                .Where(p => desiredPending?.Contains(p.Resource.Urn) != true)
                .Select(p => p.Resource with { Delete = true, Id = p.Operation == "delete" ? p.Resource.Id : null })
                .ToList();
            var doomed = state.InDependencyOrder().Where(select).Concat(orphans).ToList();
            var doomedUrns = doomed.Where(r => !r.Delete).ToLookup(r => r.Urn);
            // A live resource can go once every doomed resource that depends on it is gone.
            IEqualityComparer<ResourceState> identity = ReferenceEqualityComparer.Instance;
            var dependents = doomed.ToDictionary(r => r, _ => new List<ResourceState>(), identity);
            foreach (var r in doomed.Where(r => !r.Delete))
                foreach (var d in r.Dependencies)
                    foreach (var dep in doomedUrns[d])
                        dependents[dep].Add(r);

            await DagRunner.RunAsync(
                doomed,
                r => dependents[r],
                r => Guard(r.Urn, r.Type, r.Provider, () => DeleteOne(r)),
                r => Skipped(new Step(StepKind.Delete, r.Urn, r.Type, r.Provider, [], []), "a resource that depends on it could not be deleted"),
                engine.Parallelism(), engine.InlineSteps);
            _fatal?.Throw();
            return new DeploymentResult([.. _outcomes.Skip(before)], state.Outputs);
        }

        public async Task<DeploymentResult> RefreshAsync()
        {
            var resources = state.InDependencyOrder().Where(r => !r.IsComponent).ToList();
            await DagRunner.RunAsync(resources, _ => [], r => Guard(r.Urn, r.Type, r.Provider, () => RefreshOne(r)), _ => { }, engine.Parallelism(), engine.InlineSteps);
            _fatal?.Throw();
            foreach (var pending in Orphans().ToList())
                await Guard(pending.Resource.Urn, pending.Resource.Type, pending.Resource.Provider, () => SettleOrphan(pending));
            _fatal?.Throw();
            return new DeploymentResult([.. _outcomes], state.Outputs);
        }

        /// <summary>Operations that began and did not end on a resource the state no longer (or never) recorded.</summary>
        private IEnumerable<PendingOperation> Orphans() =>
            state.Pending.Where(p => p.Operation is "create" or "delete" && !p.Resource.IsComponent && state.Find(p.Resource.Urn) is null);

        /// <summary>
        /// Refresh settles an orphaned operation: what the provider finds is recorded (so the next up or destroy deletes
        /// it); what it finds absent, or cannot look up, is dropped, the latter with a note to check by hand.
        /// </summary>
        private async Task<Step> SettleOrphan(PendingOperation pending)
        {
            var r = pending.Resource;
            var found = await engine.Providers.Get(r.Provider!).FindAsync(new FindRequest(r.Urn, r.Type, r.Inputs), cancellationToken);
            var reason = found.Outcome switch
            {
                FindOutcome.Found => $"an interrupted {pending.Operation} left it behind: recorded, so the next up or destroy deletes it",
                FindOutcome.Absent => $"an interrupted {pending.Operation} left nothing behind: pending operation cleared",
                _ => $"an interrupted {pending.Operation} could not be checked (its provider cannot look it up without an id): pending " +
                     "operation cleared; check by hand that nothing was left behind",
            };
            var step = new Step(StepKind.Refresh, r.Urn, r.Type, r.Provider, [], [], reason);
            if (found.Outcome == FindOutcome.Found) store!.Put(r with { Id = found.Id, Outputs = found.Outputs ?? PropertyMap.Empty, Delete = false });
            store!.End(r.Urn);
            Finish(step, TimeSpan.Zero);
            return step;
        }

        private async Task<Step> ApplyOne(ResourceDeclaration r)
        {
            var old = state.Find(r.Urn);
            var inputs = r.Inputs.MapValues(v => Resolve(v));
            var interrupted = state.PendingFor(r.Urn);
            var reason = interrupted is null ? null : $"resuming an interrupted {interrupted.Operation}";

            if (r.IsComponent)
            {
                var componentStep = new Step(old is null ? StepKind.Create : StepKind.Same, r.Urn, r.Type, null, [], [], reason);
                var record = Record(r, null, inputs, PropertyMap.Empty);
                if (!Equals(record, old)) store?.Put(record);
                _outputs[r.Urn] = PropertyMap.Empty;
                Finish(componentStep, TimeSpan.Zero);
                return componentStep;
            }

            var provider = engine.Providers.Get(r.Provider!);
            var check = await provider.CheckAsync(new CheckRequest(r.Urn, r.Type, old?.Inputs ?? PropertyMap.Empty, inputs), cancellationToken);
            if (check.Failures.Count > 0)
                throw new StepFailedException(new Step(StepKind.Create, r.Urn, r.Type, r.Provider, [], []),
                    "invalid inputs: " + string.Join("; ", check.Failures.Select(f => $"{f.Property}: {f.Reason}")));
            inputs = KeepIgnored(old, check.Inputs, r.Options.IgnoreChanges);

            Step step;
            var deleteFirst = r.Options.DeleteBeforeReplace;
            if (old is null)
            {
                step = new Step(StepKind.Create, r.Urn, r.Type, r.Provider, PropertyDiff.Compute(PropertyMap.Empty, inputs), [], reason);
            }
            else if (old.Provider != r.Provider)
            {
                step = new Step(StepKind.Replace, r.Urn, r.Type, r.Provider, PropertyDiff.Compute(old.Inputs, inputs), [],
                    $"moves from provider {old.Provider} to {r.Provider}");
            }
            else
            {
                var diff = await provider.DiffAsync(new DiffRequest(r.Urn, r.Type, old.Id!, old.Inputs, old.Outputs, inputs), cancellationToken);
                var changes = PropertyDiff.Compute(old.Inputs, inputs, diff.ChangedKeys);
                var replaceKeys = diff.ReplaceKeys.Union(diff.ChangedKeys.Intersect(r.Options.ReplaceOnChanges)).ToList();
                var kind = !diff.Changes ? StepKind.Same : replaceKeys.Count > 0 ? StepKind.Replace : StepKind.Update;
                step = new Step(kind, r.Urn, r.Type, r.Provider, changes, diff.Notes ?? [],
                    reason ?? (kind == StepKind.Replace ? "replaces because " + string.Join(", ", replaceKeys) + " changed" : null));
                deleteFirst |= diff.DeleteBeforeReplace;
                if (kind == StepKind.Replace && deleteFirst) step = step with { Reason = step.Reason + " (delete before replace)" };
            }

            if (step.Kind == StepKind.Replace && old!.Protect)
                throw new StepFailedException(step, $"{r.Name} is protected and cannot be replaced; remove the protect option first");
            if (Confirmed?.Violation(step) is { } violation)
                throw new StepFailedException(step, $"not taken, because it is not what was confirmed ({violation}); run up again to confirm the new plan");

            if (step.Kind == StepKind.Same)
            {
                var record = Record(r, old!.Id, inputs, old.Outputs);
                if (!Equals(record, old)) store?.Put(record);
                if (interrupted is not null) store?.End(r.Urn);
                _outputs[r.Urn] = old.Outputs;
                Finish(step, TimeSpan.Zero);
                return step;
            }

            engine._observer.StepStarted(step);
            if (Preview)
            {
                _outputs[r.Urn] = null;
                Finish(step, TimeSpan.Zero);
                return step;
            }

            var clock = Stopwatch.StartNew();
            try
            {
                await ExecuteAsync(r, step, old, provider, inputs, deleteFirst);
            }
            catch (Exception e) when (e is not StepFailedException)
            {
                throw new StepFailedException(step, e.Message);
            }
            Finish(step, clock.Elapsed);
            return step;
        }

        private async Task ExecuteAsync(ResourceDeclaration r, Step step, ResourceState? old, IResourceProvider provider, PropertyMap inputs, bool deleteFirst)
        {
            switch (step.Kind)
            {
                case StepKind.Create:
                    await CreateAsync(r, provider, inputs, retireFirst: false);
                    break;
                case StepKind.Update:
                    store!.Begin("update", Record(r, old!.Id, inputs, old.Outputs));
                    var updated = await WithTimeout(r.Options.Timeouts.Update, ct =>
                        provider.UpdateAsync(new UpdateRequest(r.Urn, r.Type, old.Id!, old.Inputs, old.Outputs, inputs), ct));
                    var outputs = PropagateSecrets(inputs, updated.Outputs);
                    store.Put(Record(r, old.Id, inputs, outputs));
                    store.End(r.Urn);
                    _outputs[r.Urn] = outputs;
                    break;
                case StepKind.Replace when deleteFirst:
                    await DeleteResourceAsync(old!, engine.Providers.Get(old!.Provider!));
                    await CreateAsync(r, provider, inputs, retireFirst: false);
                    break;
                case StepKind.Replace:
                    await CreateAsync(r, provider, inputs, retireFirst: true);
                    break;
            }
        }

        private async Task CreateAsync(ResourceDeclaration r, IResourceProvider provider, PropertyMap inputs, bool retireFirst)
        {
            store!.Begin("create", Record(r, null, inputs, PropertyMap.Empty));
            var created = await WithTimeout(r.Options.Timeouts.Create, ct =>
                provider.CreateAsync(new CreateRequest(r.Urn, r.Type, inputs), ct));
            var outputs = PropagateSecrets(inputs, created.Outputs);
            // Only once the replacement exists does the old one become due for deletion.
            if (retireFirst) store.Retire(r.Urn);
            store.Put(Record(r, created.Id, inputs, outputs));
            store.End(r.Urn);
            _outputs[r.Urn] = outputs;
        }

        private async Task<Step> DeleteOne(ResourceState r)
        {
            var step = new Step(StepKind.Delete, r.Urn, r.Type, r.Provider, [], [],
                r.Delete ? (r.Id is null ? "an interrupted create left it behind" : "old half of a replacement") : null);
            if (r.Protect && !r.Delete)
                throw new StepFailedException(step, $"{r.Urn.Name} is protected and cannot be deleted; remove the protect option first");
            if (Confirmed?.Violation(step) is { } violation)
                throw new StepFailedException(step, $"not taken, because it is not what was confirmed ({violation}); run up again to confirm the new plan");
            engine._observer.StepStarted(step);
            var clock = Stopwatch.StartNew();
            if (!Preview)
            {
                try
                {
                    if (r.IsComponent) store!.Remove(r.Urn, null, r.Delete);
                    else await DeleteResourceAsync(r, engine.Providers.Get(r.Provider!));
                }
                catch (Exception e) when (e is not StepFailedException)
                {
                    throw new StepFailedException(step, e.Message);
                }
            }
            Finish(step, clock.Elapsed);
            return step;
        }

        private async Task DeleteResourceAsync(ResourceState r, IResourceProvider provider)
        {
            var id = r.Id;
            var outputs = r.Outputs;
            if (id is null)
            {
                // Read, never create, to learn what an interrupted create left (Pulumi treats pending creates the same way).
                var found = await WithTimeout(null, ct => provider.FindAsync(new FindRequest(r.Urn, r.Type, r.Inputs), ct));
                if (found.Outcome == FindOutcome.Unknown)
                    throw new InvalidOperationException("an interrupted create may have made this resource, and its provider cannot look it up " +
                                                        "without the id it never returned; nothing was deleted. Check by hand, then run refresh to settle it");
                if (found.Outcome == FindOutcome.Absent)
                {
                    store!.Remove(r.Urn, null, r.Delete);
                    store.End(r.Urn);
                    return;
                }
                (id, outputs) = (found.Id!, found.Outputs ?? PropertyMap.Empty);
            }
            store!.Begin("delete", r with { Id = id, Outputs = outputs });
            await WithTimeout(r.DeleteTimeout, ct => provider.DeleteAsync(new DeleteRequest(r.Urn, r.Type, id, r.Inputs, outputs), ct));
            store.Remove(r.Urn, r.Id, r.Delete);
            store.End(r.Urn);
        }

        private async Task<Step> RefreshOne(ResourceState r)
        {
            var provider = engine.Providers.Get(r.Provider!);
            var clock = Stopwatch.StartNew();
            var read = r.Id is null ? null : await provider.ReadAsync(new ReadRequest(r.Urn, r.Type, r.Id, r.Inputs, r.Outputs), cancellationToken);
            Step step;
            if (read is null)
            {
                step = new Step(StepKind.Refresh, r.Urn, r.Type, r.Provider, [], [], "gone: deleted outside this program");
                store!.Remove(r.Urn, r.Id, r.Delete);
            }
            else
            {
                var outputs = PropagateSecrets(r.Inputs, read.Outputs);
                var changes = PropertyDiff.Compute(r.Outputs, outputs);
                step = new Step(StepKind.Refresh, r.Urn, r.Type, r.Provider, changes, [], changes.Count > 0 ? "changed outside this program" : null);
                if (changes.Count > 0 || read.Id != r.Id)
                {
                    // An old half of a replacement shares its URN with the live new half: update it where it is.
                    if (r.Delete) store!.UpdateRetired(r.Urn, r.Id, r with { Id = read.Id, Outputs = outputs });
                    else store!.Put(r with { Id = read.Id, Outputs = outputs });
                }
            }
            Finish(step, clock.Elapsed);
            return step;
        }

        /// <summary>Runs one step; a failure is recorded as the step's outcome instead of propagating.</summary>
        private async Task<bool> Guard(Urn urn, string type, string? provider, Func<Task<Step>> body)
        {
            try
            {
                await body();
                return true;
            }
            catch (StepFailedException e)
            {
                Fail(e.Step, e.Message);
            }
            catch (Exception e) when (e is WrongPassphraseException or StateDamagedException)
            {
                // Found on a secret's first use: bad input for the whole run, not one failed step.
                Interlocked.CompareExchange(ref _fatal, ExceptionDispatchInfo.Capture(e), null);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Fail(new Step(StepKind.Same, urn, type, provider, [], []), e is OperationCanceledException ? "timed out or cancelled" : e.Message);
            }
            return false;
        }

        private PropertyValue Resolve(PropertyValue value) => value.Transform(v =>
        {
            if (v is not OutputReference r) return null;
            if (!_outputs.TryGetValue(r.Urn, out var outputs) && state.Find(r.Urn) is null)
                throw new InvalidOperationException($"{r.Urn.Name} has not been created");
            if (outputs is null) return Preview ? PropertyValue.Unknown : throw new InvalidOperationException($"{r.Urn.Name} has no outputs yet");
            return outputs.Get(r.Output) ?? (Preview ? PropertyValue.Unknown : throw new InvalidOperationException($"{r.Urn.Name} has no output '{r.Output}'"));
        });

        private async Task<T> WithTimeout<T>(TimeSpan? timeout, Func<CancellationToken, Task<T>> call)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (timeout is { } t) cts.CancelAfter(t);
            try
            {
                return await call(cts.Token);
            }
            catch (OperationCanceledException) when (timeout is not null && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"timed out after {timeout}");
            }
        }

        private async Task WithTimeout(TimeSpan? timeout, Func<CancellationToken, Task> call) =>
            await WithTimeout<bool>(timeout, async ct =>
            {
                await call(ct);
                return true;
            });

        private ResourceState Record(ResourceDeclaration r, string? id, PropertyMap inputs, PropertyMap outputs) =>
            new(r.Urn, r.Type, r.Provider, id, r.Parent, inputs, outputs, r.Dependencies, r.Options.Protect, false, r.Options.Timeouts.Delete);

        private void Finish(Step step, TimeSpan elapsed)
        {
            var outcome = new StepOutcome(step, Preview ? StepStatus.Planned : StepStatus.Succeeded, elapsed);
            _outcomes.Enqueue(outcome);
            engine._observer.StepFinished(outcome);
        }

        private void Fail(Step step, string error)
        {
            var outcome = new StepOutcome(step, StepStatus.Failed, TimeSpan.Zero, error);
            _outcomes.Enqueue(outcome);
            engine._observer.StepFinished(outcome);
        }

        private void Skipped(Step step, string why)
        {
            var outcome = new StepOutcome(step, StepStatus.Skipped, TimeSpan.Zero, why);
            _outcomes.Enqueue(outcome);
            engine._observer.StepFinished(outcome);
        }

        /// <summary>ignoreChanges: a listed key keeps its recorded value (or is left out if nothing was recorded).</summary>
        private static PropertyMap KeepIgnored(ResourceState? old, PropertyMap inputs, IReadOnlyList<string> ignore)
        {
            if (old is null || ignore.Count == 0) return inputs;
            foreach (var key in ignore)
                inputs = old.Inputs.Get(key) is { } kept ? inputs.With(key, kept) : inputs.Without(key);
            return inputs;
        }

        /// <summary>An output named like a secret input is secret too, whatever the provider returned.</summary>
        private static PropertyMap PropagateSecrets(PropertyMap inputs, PropertyMap outputs) =>
            PropertyMap.From(outputs.Select(kv =>
                KeyValuePair.Create(kv.Key, inputs.Get(kv.Key)?.ContainsSecrets == true ? PropertyValue.Secret(kv.Value) : kv.Value)));
    }

    private ProviderRegistry Providers => providers;

    private int Parallelism() => parallelism;

    private bool InlineSteps => inlineSteps;
}

/// <summary>A step that failed for a reason worth showing as is.</summary>
public sealed class StepFailedException(Step step, string message) : Exception(message)
{
    public Step Step { get; } = step;
}

public sealed class ProtectedResourceException(string message) : Exception(message);
