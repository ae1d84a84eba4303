using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Engine.Providers;

/// <summary>
/// Pulumi's provider contract: Check, Diff, Create, Read, Update, Delete. The engine calls these and nothing else.
/// Two promises every provider keeps, because the journal re-drives an operation a crash interrupted:
/// Create is idempotent (creating a resource whose identity, derived from its inputs, already exists adopts it)
/// and Delete is idempotent (deleting what is already gone succeeds).
/// </summary>
public interface IResourceProvider
{
    /// <summary>Validates and normalises inputs. Failures name the property and never echo secret values.</summary>
    Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken);

    /// <summary>Says what changed and whether the change needs a replacement. May consult live state.</summary>
    Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken);

    Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken);

    /// <summary>Reads live state; null means the resource is gone.</summary>
    Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken);

    Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken);

    Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Whether a Create that was interrupted before it answered (so no id was recorded) left something behind,
    /// looked up from its inputs alone. The engine asks this before deleting such an orphan, instead of calling
    /// Create just to learn its id (Pulumi reads pending creates rather than re-running them). A provider that cannot
    /// look a resource up from its inputs answers <see cref="FindResult.Unknown"/>: the engine then reports the
    /// pending operation and leaves it for <c>refresh</c>, and changes nothing.
    /// </summary>
    Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken) => Task.FromResult(FindResult.Unknown);
}

public sealed record FindRequest(Urn Urn, string Type, PropertyMap Inputs);

public enum FindOutcome
{
    /// <summary>The provider cannot tell from inputs alone.</summary>
    Unknown,

    /// <summary>Nothing exists: the interrupted Create made nothing outside the state (or it is gone).</summary>
    Absent,

    /// <summary>The resource exists, with this id and these outputs.</summary>
    Found,
}

public sealed record FindResult(FindOutcome Outcome, string? Id = null, PropertyMap? Outputs = null)
{
    public static readonly FindResult Unknown = new(FindOutcome.Unknown);

    /// <summary>For providers whose Create only computes (keys, certificates, passwords): it leaves nothing outside the state.</summary>
    public static readonly FindResult Absent = new(FindOutcome.Absent);

    public static FindResult Found(string id, PropertyMap outputs) => new(FindOutcome.Found, id, outputs);
}

public sealed record CheckRequest(Urn Urn, string Type, PropertyMap Olds, PropertyMap News);

public sealed record CheckFailure(string Property, string Reason);

public sealed record CheckResult(PropertyMap Inputs, IReadOnlyList<CheckFailure> Failures)
{
    public static CheckResult Ok(PropertyMap inputs) => new(inputs, []);

    public static CheckResult Fail(PropertyMap inputs, params CheckFailure[] failures) => new(inputs, failures);
}

public sealed record DiffRequest(Urn Urn, string Type, string Id, PropertyMap OldInputs, PropertyMap OldOutputs, PropertyMap NewInputs);

/// <param name="ChangedKeys">Input keys that differ.</param>
/// <param name="ReplaceKeys">The subset of changed keys that cannot be updated in place.</param>
/// <param name="Notes">Human-readable detail for the plan, such as the actions a reconciler would take.</param>
public sealed record DiffResult(bool Changes, IReadOnlyList<string> ChangedKeys, IReadOnlyList<string> ReplaceKeys,
    bool DeleteBeforeReplace = false, IReadOnlyList<string>? Notes = null)
{
    public static readonly DiffResult None = new(false, [], []);

    /// <summary>The default diff: compares inputs key by key; changes to <paramref name="replaceKeys"/> replace.</summary>
    public static DiffResult ByInputs(PropertyMap olds, PropertyMap news, params string[] replaceKeys)
    {
        var changed = olds.Keys.Union(news.Keys)
            .Where(k => !Equals(olds.Get(k), news.Get(k)) || news.Get(k)?.ContainsUnknowns == true)
            .ToList();
        return new DiffResult(changed.Count > 0, changed, changed.Intersect(replaceKeys).ToList());
    }
}

public sealed record CreateRequest(Urn Urn, string Type, PropertyMap Inputs);

public sealed record CreateResult(string Id, PropertyMap Outputs);

public sealed record ReadRequest(Urn Urn, string Type, string Id, PropertyMap Inputs, PropertyMap Outputs);

public sealed record ReadResult(string Id, PropertyMap Outputs);

public sealed record UpdateRequest(Urn Urn, string Type, string Id, PropertyMap OldInputs, PropertyMap OldOutputs, PropertyMap NewInputs);

public sealed record UpdateResult(PropertyMap Outputs);

public sealed record DeleteRequest(Urn Urn, string Type, string Id, PropertyMap Inputs, PropertyMap Outputs);
