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

    public PropertyMap Outputs { get; internal set; } = PropertyMap.Empty;

    public IReadOnlyCollection<ResourceState> Live => _live.Values;

    /// <summary>Old halves of replacements (and resources whose delete was interrupted) still to delete.</summary>
    public IReadOnlyList<ResourceState> Retired => _retired;

    public IReadOnlyCollection<PendingOperation> Pending => _pending.Values;

    public int Count => _live.Count + _retired.Count;

    public ResourceState? Find(Urn urn) => _live.GetValueOrDefault(urn);

    internal void Put(ResourceState resource)
    {
        _live[resource.Urn] = resource;
    }

    internal void Retire(Urn urn)
    {
        if (_live.Remove(urn, out var old)) _retired.Add(old with { Delete = true });
    }

    internal void Remove(Urn urn, string? id, bool retired)
    {
        if (retired) _retired.RemoveAll(r => r.Urn == urn && r.Id == id);
        else _live.Remove(urn);
    }

    internal void Begin(PendingOperation operation) => _pending[operation.Resource.Urn] = operation;

    internal void End(Urn urn) => _pending.Remove(urn);

    /// <summary>All resources in an order where every resource follows those it depends on.</summary>
    public IReadOnlyList<ResourceState> InDependencyOrder()
    {
        var all = Live.Concat(_retired).ToList();
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
