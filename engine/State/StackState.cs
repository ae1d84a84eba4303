using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Engine.State;

/// <summary>
/// The recorded state of one stack: live resources by URN, old halves of replacements awaiting deletion,
/// operations a crash interrupted, and the stack outputs.
/// </summary>
public sealed class StackState
{
    private readonly Dictionary<Urn, ResourceState> _live = [];
    private readonly List<ResourceState> _retired = [];
    private readonly Dictionary<Urn, PendingOperation> _pending = [];

    // Steps run in parallel: every read and write goes through this lock; reads return copies.
    private readonly object _gate = new();

    public PropertyMap Outputs { get; internal set; } = PropertyMap.Empty;

    public IReadOnlyList<ResourceState> Live
    {
        get
        {
            lock (_gate) return [.. _live.Values];
        }
    }

    /// <summary>Old halves of replacements (and resources whose delete was interrupted) still to delete.</summary>
    public IReadOnlyList<ResourceState> Retired
    {
        get
        {
            lock (_gate) return [.. _retired];
        }
    }

    public IReadOnlyList<PendingOperation> Pending
    {
        get
        {
            lock (_gate) return [.. _pending.Values];
        }
    }

    public int Count
    {
        get
        {
            lock (_gate) return _live.Count + _retired.Count;
        }
    }

    public ResourceState? Find(Urn urn)
    {
        lock (_gate) return _live.GetValueOrDefault(urn);
    }

    public PendingOperation? PendingFor(Urn urn)
    {
        lock (_gate) return _pending.GetValueOrDefault(urn);
    }

    internal void Put(ResourceState resource)
    {
        lock (_gate) _live[resource.Urn] = resource;
    }

    internal void Retire(Urn urn)
    {
        lock (_gate)
        {
            if (_live.Remove(urn, out var old)) _retired.Add(old with { Delete = true });
        }
    }

    /// <summary>Records an old half as it was saved, beside a live resource of the same URN if there is one.</summary>
    internal void AddRetired(ResourceState resource)
    {
        lock (_gate) _retired.Add(resource with { Delete = true });
    }

    /// <summary>Replaces the old half recorded with <paramref name="id"/> (what a refresh read of it); the live map is untouched.</summary>
    internal void UpdateRetired(Urn urn, string? id, ResourceState resource)
    {
        lock (_gate)
        {
            var i = _retired.FindIndex(r => r.Urn == urn && r.Id == id);
            if (i >= 0) _retired[i] = resource with { Delete = true };
        }
    }

    internal void Remove(Urn urn, string? id, bool retired)
    {
        lock (_gate)
        {
            if (retired) _retired.RemoveAll(r => r.Urn == urn && r.Id == id);
            else _live.Remove(urn);
        }
    }

    internal void Begin(PendingOperation operation)
    {
        lock (_gate) _pending[operation.Resource.Urn] = operation;
    }

    internal void End(Urn urn)
    {
        lock (_gate) _pending.Remove(urn);
    }

    /// <summary>All resources in an order where every resource follows those it depends on.</summary>
    public IReadOnlyList<ResourceState> InDependencyOrder()
    {
        var all = Live.Concat(Retired).ToList();
        var byUrn = all.Where(r => !r.Delete).ToDictionary(r => r.Urn);
        var done = new HashSet<ResourceState>(ReferenceEqualityComparer.Instance);
        var result = new List<ResourceState>(all.Count);
        var visiting = new HashSet<Urn>();
        void Visit(ResourceState r)
        {
            if (done.Contains(r) || !visiting.Add(r.Urn)) return;
            foreach (var d in r.Dependencies)
                if (byUrn.TryGetValue(d, out var dep)) Visit(dep);
            visiting.Remove(r.Urn);
            done.Add(r);
            result.Add(r);
        }
        foreach (var r in all) Visit(r);
        return result;
    }
}
