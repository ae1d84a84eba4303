using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Common;

namespace ScyllaApocryph.Providers.Nebula;

/// <summary>
/// <c>nebula:index:Blocklist</c>: remembers every certificate the stack issued and no longer uses, so every node
/// config can carry it in <c>pki.blocklist</c>. Nebula has no revocation list of its own; a removed or reissued
/// node's old certificate stays valid until it expires unless each peer refuses its fingerprint.
/// <para>
/// Inputs: <c>active</c> — the certificates currently in the stack, each a fingerprint string or an object
/// <c>{fingerprint, notAfter}</c> (references to the Certificate outputs); <c>manual</c> — optional fingerprints
/// the operator blocks by hand. Outputs: <c>fingerprints</c> (sorted, what goes into pki.blocklist) and
/// <c>retired</c> (the accumulated entries). The state accumulates: a fingerprint that leaves <c>active</c> is
/// retired for good, and dropped only once its certificate has expired (nebula rejects it anyway then).
/// This resource never replaces, because a replacement would forget what it accumulated.
/// </para>
/// </summary>
public sealed class NebulaBlocklistProvider(TimeProvider clock) : IResourceProvider
{
    public const string Type = ResourceTypes.NebulaBlocklist;

    public NebulaBlocklistProvider() : this(TimeProvider.System)
    {
    }

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var inputs = new ProviderInputs(request.News);
        if (!inputs.IsUnknown("active") && request.News.Get("active") is { } active && active.AsArray is { } items)
        {
            foreach (var item in items.Where(i => !i.ContainsUnknowns && Entry.From(i) is null))
                inputs.Fail("active", $"each entry must be a fingerprint or {{fingerprint, notAfter}}, not {item}");
        }
        else if (!inputs.IsUnknown("active") && request.News.Get("active") is not (null or NullValue))
        {
            inputs.Fail("active", "must be a list");
        }
        inputs.StringList("manual");
        return Task.FromResult(new CheckResult(inputs.Map, inputs.Failures));
    }

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        var diff = DiffResult.ByInputs(request.OldInputs, request.NewInputs);
        if (!diff.Changes && Retired(request.OldOutputs).Any(e => e.Expired(clock.GetUtcNow())))
            diff = new DiffResult(true, ["retired"], [], Notes: ["drops blocklist entries whose certificates have expired"]);
        return Task.FromResult(diff);
    }

    public Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new CreateResult("blocklist-" + Guid.NewGuid().ToString("N")[..12], Compute([], [], request.Inputs)));

    public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<ReadResult?>(new ReadResult(request.Id, request.Outputs));

    public Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new UpdateResult(Compute(Retired(request.OldOutputs), Active(request.OldInputs), request.NewInputs)));

    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Create only computes: an interrupted one left nothing outside the state.</summary>
    public Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken) => Task.FromResult(FindResult.Absent);

    private PropertyMap Compute(IReadOnlyList<Entry> retired, IReadOnlyList<Entry> oldActive, PropertyMap news)
    {
        var now = clock.GetUtcNow();
        var active = Active(news);
        var activeSet = active.Select(e => e.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var next = retired.Concat(oldActive)
            .Where(e => !activeSet.Contains(e.Fingerprint) && !e.Expired(now))
            .GroupBy(e => e.Fingerprint, StringComparer.Ordinal)
            .Select(g => g.First())
            .OrderBy(e => e.Fingerprint, StringComparer.Ordinal)
            .ToList();
        var manual = news.Get("manual")?.AsArray?.Select(v => v.AsString!).ToList() ?? [];
        var all = next.Select(e => e.Fingerprint).Concat(manual).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return PropertyMap.Of(
            ("fingerprints", PropertyValue.Array(all.Select(f => (PropertyValue)f))),
            ("retired", PropertyValue.Array(next.Select(e => e.ToValue()))));
    }

    private static IReadOnlyList<Entry> Active(PropertyMap inputs) =>
        inputs.Get("active")?.AsArray?.Select(Entry.From).OfType<Entry>().ToList() ?? [];

    private static IReadOnlyList<Entry> Retired(PropertyMap outputs) =>
        outputs.Get("retired")?.AsArray?.Select(Entry.From).OfType<Entry>().ToList() ?? [];

    private sealed record Entry(string Fingerprint, DateTimeOffset? NotAfter)
    {
        public bool Expired(DateTimeOffset now) => NotAfter is { } t && t < now;

        public static Entry? From(PropertyValue value)
        {
            if (value.AsString is { Length: > 0 } s) return new Entry(s, null);
            if (value.AsMap is { } m && m.GetString("fingerprint") is { Length: > 0 } f)
                return new Entry(f, ProviderInputs.ParseIso(m.GetString("notAfter")));
            return null;
        }

        public PropertyValue ToValue() => NotAfter is { } t
            ? PropertyMap.Of(("fingerprint", Fingerprint), ("notAfter", ProviderInputs.Iso(t)))
            : PropertyMap.Of(("fingerprint", Fingerprint));
    }
}
