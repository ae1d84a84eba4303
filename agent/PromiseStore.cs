using System.Text.Json;

namespace ScyllaApocryph.Agent;

/// <summary>
/// This agent's side of the actor election and its copy of the intent, kept on the data volume (written before any
/// answer, so a restarted agent never contradicts itself). A voter promises one candidate per term, for a lease time
/// measured on its own clock; it promises no one else until that lapses, and never goes back to a lower term.
/// Writes of the intent are fenced: one from a term below the promised term is refused, so an actor that lost the
/// majority can no longer record an intent, and without a recorded intent it takes no action.
/// After a (re)start the voter promises nothing for one lease time: it may have forgotten a promise (a wiped volume).
/// </summary>
public sealed class PromiseStore(string dataDirectory, TimeProvider clock, TimeSpan quietAfterStart)
{
    private sealed record Promise(long Term, string? Holder, DateTimeOffset Expires);

    private readonly Lock _gate = new();
    private readonly DateTimeOffset _started = clock.GetUtcNow();
    private Promise _promise = Load<Promise>(dataDirectory, "agent-promise.json") ?? new Promise(0, null, DateTimeOffset.MinValue);
    private IntentRecord _intent = Load<IntentRecord>(dataDirectory, "agent-intent.json") ?? new IntentRecord(0, 0, null);
    private RestartGrant _restart = Load<RestartGrant>(dataDirectory, "agent-restart.json") ?? new RestartGrant(0, 0, null);

    public long PromisedTerm { get { lock (_gate) return _promise.Term; } }

    public VoteReply Vote(VoteRequest request)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var p = _promise;
            if (now - _started < quietAfterStart)
                return new VoteReply(false, p.Term, p.Holder, "voter restarted recently: promising nothing for one lease time");
            if (request.Term < p.Term) return new VoteReply(false, p.Term, p.Holder, $"term {request.Term} < promised {p.Term}");
            var renew = p.Holder == request.Candidate;
            if (!renew && (p.Expires > now || request.Term == p.Term))
                return new VoteReply(false, p.Term, p.Holder, $"promised to {p.Holder} in term {p.Term}");
            _promise = new Promise(request.Term, request.Candidate, now + TimeSpan.FromMilliseconds(request.TtlMs));
            Save(dataDirectory, "agent-promise.json", _promise);
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
            Save(dataDirectory, "agent-promise.json", _promise);
        }
    }

    public IntentRecord Intent { get { lock (_gate) return _intent; } }

    public IntentReply Replicate(IntentRecord record)
    {
        lock (_gate)
        {
            if (record.Term < _promise.Term) return new IntentReply(false, _promise.Term);
            if (record.IsNewerThan(_intent))
            {
                _intent = record;
                Save(dataDirectory, "agent-intent.json", _intent);
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
                Save(dataDirectory, "agent-restart.json", _restart);
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
