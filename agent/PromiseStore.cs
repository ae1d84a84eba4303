using System.Text.Json;

namespace ScyllaApocryph.Agent;

/// <summary>
/// This agent's side of the actor election and its copy of the intent, kept on the data volume (written before any
/// answer, so a restarted agent never contradicts itself). A voter promises one candidate per term, for a lease time
/// measured on its own clock; it promises no one else until that lapses, and never goes back to a lower term.
/// Writes of the intent are fenced: one from a term below the promised term is refused, so an actor that lost the
/// majority can no longer record an intent, and without a recorded intent it takes no action.
/// After a (re)start the voter promises nothing for one lease time: it may have forgotten a promise (a wiped volume).
/// A voter with nothing on its volume in an existing cluster (<paramref name="intactWhenEmpty"/> false: the stack was
/// deployed before) may have forgotten its copy of the intent too: it is not <see cref="Recovered"/>, promises nothing
/// and gives no copy until <see cref="IntentRecovery"/> has read the intent from a majority of intact agents.
/// </summary>
public sealed class PromiseStore(string dataDirectory, TimeProvider clock, TimeSpan quietAfterStart, bool intactWhenEmpty = true)
{
    private sealed record Promise(long Term, string? Holder, DateTimeOffset Expires);

    private const string PromiseFile = "agent-promise.json";
    private const string IntentFile = "agent-intent.json";
    private const string RestartFile = "agent-restart.json";

    private readonly Lock _gate = new();
    private readonly DateTimeOffset _started = clock.GetUtcNow();
    private bool _recovered = StartsIntact(dataDirectory, intactWhenEmpty);
    private Promise _promise = Load<Promise>(dataDirectory, PromiseFile) ?? new Promise(0, null, DateTimeOffset.MinValue);
    private IntentRecord _intent = Load<IntentRecord>(dataDirectory, IntentFile) ?? new IntentRecord(0, 0, null);
    private RestartGrant _restart = Load<RestartGrant>(dataDirectory, RestartFile) ?? new RestartGrant(0, 0, null);

    public long PromisedTerm { get { lock (_gate) return _promise.Term; } }

    public VoteReply Vote(VoteRequest request)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var p = _promise;
            if (!_recovered)
                return new VoteReply(false, p.Term, p.Holder, "voter lost its state (empty volume): promising nothing until it has read the intent from a majority");
            if (now - _started < quietAfterStart)
                return new VoteReply(false, p.Term, p.Holder, "voter restarted recently: promising nothing for one lease time");
            if (request.Term < p.Term) return new VoteReply(false, p.Term, p.Holder, $"term {request.Term} < promised {p.Term}");
            var renew = p.Holder == request.Candidate;
            if (!renew && (p.Expires > now || request.Term == p.Term))
                return new VoteReply(false, p.Term, p.Holder, $"promised to {p.Holder} in term {p.Term}");
            _promise = new Promise(request.Term, request.Candidate, now + TimeSpan.FromMilliseconds(request.TtlMs));
            Save(dataDirectory, PromiseFile, _promise);
            return new VoteReply(true, request.Term, request.Candidate);
        }
    }

    /// <summary>A candidate that lost its campaign frees the promise it got here (its own vote); the term stays.</summary>
    public void Withdraw(string candidate, long term)
    {
        lock (_gate)
        {
            if (_promise.Holder != candidate || _promise.Term != term) return;
            _promise = _promise with { Expires = clock.GetUtcNow() };
            Save(dataDirectory, PromiseFile, _promise);
        }
    }

    /// <summary>Whether <paramref name="candidate"/> holds this voter's unlapsed promise in <paramref name="term"/>: the actor, as far as this voter knows.</summary>
    public bool Holds(string candidate, long term, out string why)
    {
        lock (_gate)
        {
            var p = _promise;
            why = p.Term != term ? $"term {term} is not the term this agent promised ({p.Term})"
                : p.Holder != candidate ? $"the lease of term {term} was promised to {p.Holder ?? "no one"}, not {candidate}"
                : p.Expires <= clock.GetUtcNow() ? $"the lease {candidate} held in term {term} has lapsed"
                : "";
            return why.Length == 0;
        }
    }

    public IntentRecord Intent { get { lock (_gate) return _intent; } }

    /// <summary>Whether this voter's copy of the intent counts: kept on its volume all along, or read back from a majority.</summary>
    public bool Recovered { get { lock (_gate) return _recovered; } }

    /// <summary>
    /// Takes the newest of <paramref name="intactCopies"/> (other agents' copies; recovering agents give none) and its own
    /// (written to it meanwhile), once they come from a majority of the <paramref name="slots"/>; false until then.
    /// </summary>
    public bool Recover(IReadOnlyList<IntentRecord> intactCopies, int slots)
    {
        lock (_gate)
        {
            if (_recovered) return true;
            if (2 * intactCopies.Count <= slots) return false;
            var newest = intactCopies.Aggregate(_intent, (a, b) => b.IsNewerThan(a) ? b : a);
            _intent = newest;
            Save(dataDirectory, IntentFile, _intent); // from now on the volume says: intact
            _recovered = true;
            return true;
        }
    }

    /// <summary>A volume with election state on it is intact; an empty one only in a cluster that is new (then it is marked so).</summary>
    private static bool StartsIntact(string dir, bool intactWhenEmpty)
    {
        if (File.Exists(Path.Combine(dir, IntentFile)) || File.Exists(Path.Combine(dir, PromiseFile))) return true;
        if (!intactWhenEmpty) return false;
        Directory.CreateDirectory(dir);
        Save(dir, IntentFile, new IntentRecord(0, 0, null));
        return true;
    }

    public IntentReply Replicate(IntentRecord record)
    {
        lock (_gate)
        {
            if (record.Term < _promise.Term) return new IntentReply(false, _promise.Term);
            if (record.IsNewerThan(_intent))
            {
                _intent = record;
                Save(dataDirectory, IntentFile, _intent);
            }
            return new IntentReply(true, _promise.Term);
        }
    }

    public RestartGrant Restart { get { lock (_gate) return _restart; } }

    /// <summary>A copy of the restart token, fenced like the intent: an actor below the promised term cannot grant.</summary>
    public IntentReply ReplicateRestart(RestartGrant grant)
    {
        lock (_gate)
        {
            if (grant.Term < _promise.Term) return new IntentReply(false, _promise.Term);
            if (grant.IsNewerThan(_restart))
            {
                _restart = grant;
                Save(dataDirectory, RestartFile, _restart);
            }
            return new IntentReply(true, _promise.Term);
        }
    }

    private static T? Load<T>(string dir, string name) where T : class
    {
        var path = Path.Combine(dir, name);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), AgentConfig.Json);
        }
        catch (JsonException)
        {
            return null; // cut short by a crash before the rename could not happen (atomic write); unreadable means foreign
        }
    }

    private static void Save<T>(string dir, string name, T value)
    {
        var path = Path.Combine(dir, name);
        var temp = path + ".tmp";
        using (var s = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(s, value, AgentConfig.Json);
            s.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
