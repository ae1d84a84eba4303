using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Autoscaler;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// The hosting side as the node agent would serve it through the hooks API: one instance per slot, recreated
/// instances come back with an empty volume (Apocryph deletes a pod's volume with the pod) and wait for a boot
/// instruction, which boots the process in the <see cref="ScyllaSimulator"/> (fresh or replace).
/// </summary>
public sealed class FakeAutoscaler(ScyllaSimulator cluster) : IAutoscalerHooks
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SlotSpec> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HookInstance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimBoot> _booting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimNode> _process = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _volumeHostId = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether the agent clears the data directory of a process that never became a member before it starts again. It
    /// must: ScyllaDB refuses a host ID whose join it refused, cancelled or rolled back ("The node has already been
    /// removed from the cluster" / "... Please clear the data directory and restart."). Off only to show that refusal.
    /// </summary>
    public bool ClearsDataAfterFailedJoin { get; init; } = true;
    private int _nextInstance;

    public List<BootInstruction> Boots { get; } = [];

    public List<InstanceFailedRequest> FailureReports { get; } = [];

    /// <summary>Declares a slot the autoscaler hosts (the stack's node slots).</summary>
    public void AddSlot(SlotSpec slot)
    {
        lock (_gate) _slots[slot.Slot] = slot;
    }

    /// <summary>A cluster already running: every slot has an instance with data and a member in the cluster.</summary>
    public void Seed(IEnumerable<SlotSpec> slots)
    {
        foreach (var slot in slots)
        {
            AddSlot(slot);
            var node = cluster.Establish(slot.Address, slot.Datacenter, slot.ZeroToken);
            lock (_gate)
            {
                _instances[slot.Slot] = new HookInstance(slot.Slot, NextId(), InstancePhase.Running, slot.Address);
                _process[slot.Slot] = node;
            }
        }
    }

    /// <summary>The instance and its volume are gone (pod deleted, provider lost).</summary>
    public void Lose(string slot)
    {
        lock (_gate)
        {
            cluster.Kill(_slots[slot].Address);
            _instances.Remove(slot);
            _booting.Remove(slot);
            _process.Remove(slot);
            _volumeHostId.Remove(slot);
        }
    }

    /// <summary>A new instance appears for the slot with an empty volume, waiting to be told how to boot.</summary>
    public void Recreate(string slot)
    {
        lock (_gate)
        {
            _instances[slot] = new HookInstance(slot, NextId(), InstancePhase.AwaitingBoot, _slots[slot].Address);
            _volumeHostId.Remove(slot); // a new instance, a new (empty) volume
        }
    }

    /// <summary>The process crashes but the instance keeps its volume (it will restart on its own data).</summary>
    public void Crash(string slot)
    {
        lock (_gate) cluster.Kill(_slots[slot].Address);
    }

    /// <summary>
    /// Restarts the instance's own process on its volume. One whose bootstrap or replace never finished (rolled back,
    /// never a member) left nothing usable there: as ScyllaDB requires, its data is wiped and the instance waits for a
    /// boot instruction again. A process still starting needs no restart.
    /// </summary>
    public void Restart(string slot)
    {
        lock (_gate)
        {
            Settle();
            if (_booting.ContainsKey(slot)) return;
            if (_process.TryGetValue(slot, out var process) && cluster.Members.Contains(process))
                cluster.Revive(process);
            else if (_instances.TryGetValue(slot, out var instance) && instance.Phase == InstancePhase.Running)
            {
                if (ClearsDataAfterFailedJoin) _volumeHostId.Remove(slot);
                _instances[slot] = instance with { Phase = InstancePhase.AwaitingBoot };
            }
        }
    }

    public Task<ListInstancesResponse> ListInstancesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Settle();
            return Task.FromResult(new ListInstancesResponse(_instances.Values.OrderBy(i => i.Slot, StringComparer.Ordinal).ToList()));
        }
    }

    /// <summary>Takes note of starting processes the cluster has judged by now (caller holds the lock).</summary>
    private void Settle()
    {
        cluster.Tick();
        foreach (var (slot, boot) in _booting.Where(b => b.Value.Failure is not null || b.Value.Node is not null).ToList())
        {
            _booting.Remove(slot);
            if (boot.Node is not null) _process[slot] = boot.Node;
            // A process the cluster refused exits, leaving its host ID on the volume; the agent clears the data directory
            // (the node never became a member, so nothing is lost), and the instance waits for a boot instruction again.
            else if (_instances.TryGetValue(slot, out var i) && i.Phase == InstancePhase.Running)
            {
                if (ClearsDataAfterFailedJoin) _volumeHostId.Remove(slot);
                _instances[slot] = i with { Phase = InstancePhase.AwaitingBoot };
            }
        }
    }

    public Task<InstanceFailedResponse> ReportInstanceFailedAsync(InstanceFailedRequest request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            FailureReports.Add(request);
            var known = _instances.TryGetValue(request.Slot, out var i) && i.InstanceId == request.InstanceId;
            return Task.FromResult(new InstanceFailedResponse(known));
        }
    }

    public Task<InstanceAddedResponse> InstanceAddedAsync(InstanceAddedRequest request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_slots.ContainsKey(request.Slot)) return Task.FromResult(new InstanceAddedResponse(false));
            _instances[request.Slot] = new HookInstance(request.Slot, request.InstanceId,
                request.VolumeEmpty ? InstancePhase.AwaitingBoot : InstancePhase.Running, request.Address);
            return Task.FromResult(new InstanceAddedResponse(true));
        }
    }

    public Task<BootResponse> BootAsync(BootInstruction instruction, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Boots.Add(instruction);
            if (!_instances.TryGetValue(instruction.Slot, out var instance)) return Task.FromResult(new BootResponse(false, "no instance for slot"));
            if (instance.Phase != InstancePhase.AwaitingBoot) return Task.FromResult(new BootResponse(true)); // already booted: idempotent
            if (instruction.Seeds.Contains(instance.Address)) return Task.FromResult(new BootResponse(false, "a node must not seed itself"));
            var slot = _slots[instruction.Slot];
            try
            {
                var boot = cluster.Boot(slot.Address, slot.Datacenter, instruction.Mode == BootMode.Replace ? instruction.ReplaceHostId! : null,
                    instruction.IgnoreDeadHostIds, slot.ZeroToken, _volumeHostId.GetValueOrDefault(instruction.Slot));
                _volumeHostId[instruction.Slot] = boot.HostId;
                if (boot.Node is null) _booting[instruction.Slot] = boot; // still starting: the cluster judges it when it shows up
                else _process[instruction.Slot] = boot.Node;
            }
            catch (InvalidOperationException e)
            {
                // ScyllaDB refuses to start, leaving its host ID on the volume; the agent clears the data directory, and the
                // instance may be instructed again.
                if (ClearsDataAfterFailedJoin) _volumeHostId.Remove(instruction.Slot);
                else if (e.Data["hostId"] is string left) _volumeHostId[instruction.Slot] = left;
                return Task.FromResult(new BootResponse(false, e.Message));
            }
            _instances[instruction.Slot] = instance with { Phase = InstancePhase.Running };
            return Task.FromResult(new BootResponse(true));
        }
    }

    private string NextId() => $"inst-{Interlocked.Increment(ref _nextInstance)}";
}
