using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Engine.State;

/// <summary>
/// The state of one stack on disk: <c>snapshot.json</c> (the state after the last finished run) and
/// <c>journal.jsonl</c> (one line per state change since then, flushed as it happens). A run appends to the
/// journal and, when it ends, writes one new snapshot and empties the journal, so a run of n steps writes O(n)
/// bytes. A process killed mid-run leaves a journal whose replay gives exactly what had happened, including
/// operations that had begun but not ended (<see cref="StackState.Pending"/>).
/// The previous snapshot is kept as <c>snapshot.json.bak</c>; a damaged file is reported, never overwritten.
/// </summary>
public sealed class StateStore : IDisposable
{
    public const string SnapshotFile = "snapshot.json";
    public const string JournalFile = "journal.jsonl";
    private const int FormatVersion = 1;

    private readonly string _directory;
    private readonly ISecretCipher _cipher;
    private readonly object _gate = new();
    private FileStream? _journal;
    private long _seq;

    // The highest journal sequence number the snapshot already contains; replay skips entries at or below it.
    private long _snapshotSeq;

    // What the first append must repair at the end of the journal a crash left: cut a torn last line off
    // (truncate to this length), or end a complete last line that lost its newline.
    private long? _truncateJournalTo;
    private bool _terminateJournal;

    private StateStore(string directory, ISecretCipher cipher, StackState state)
    {
        _directory = directory;
        _cipher = cipher;
        State = state;
    }

    public StackState State { get; }

    /// <summary>Bytes this store has written to disk (journal lines and snapshots), for the benchmark.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>True if a crash had left operations unfinished when the state was loaded.</summary>
    public bool Interrupted { get; private set; }

    public string SnapshotPath => Path.Combine(_directory, SnapshotFile);

    public string JournalPath => Path.Combine(_directory, JournalFile);

    public static StateStore Open(string directory, ISecretCipher cipher)
    {
        var state = new StackState();
        var store = new StateStore(directory, cipher, state);
        store.LoadSnapshot();
        store.ReplayJournal();
        return store;
    }

    /// <summary>
    /// Opens every secret the state holds (deriving the key if nothing needed it yet), so that a wrong passphrase or
    /// an altered secret is reported before a run changes anything, never halfway through it.
    /// </summary>
    /// <exception cref="StateDamagedException">A secret fails its integrity check; the file is named.</exception>
    public void VerifySecrets()
    {
        if (_cipher is PassphraseCipher passphrase) passphrase.EnsureKey(); // a wrong passphrase is not damage
        foreach (var value in State.Outputs.Values) value.Reveal();
        foreach (var r in State.InDependencyOrder().Concat(State.Pending.Select(p => p.Resource)))
        {
            foreach (var value in r.Inputs.Values) value.Reveal();
            foreach (var value in r.Outputs.Values) value.Reveal();
        }
    }

    public void Begin(string operation, ResourceState resource) =>
        Append("begin", w =>
        {
            w.WriteString("op", operation);
            w.WritePropertyName("resource");
            StateJson.WriteResource(w, resource, _cipher);
        }, () => State.Begin(new PendingOperation(operation, resource)));

    public void End(Urn urn) => Append("end", w => w.WriteString("urn", urn.Value), () => State.End(urn));

    public void Put(ResourceState resource) =>
        Append("put", w =>
        {
            w.WritePropertyName("resource");
            StateJson.WriteResource(w, resource, _cipher);
        }, () => State.Put(resource));

    /// <summary>Marks the live resource as the old half of a replacement, to be deleted later.</summary>
    public void Retire(Urn urn) => Append("retire", w => w.WriteString("urn", urn.Value), () => State.Retire(urn));

    /// <summary>Records what a refresh read of an old half (recorded with <paramref name="id"/>) still awaiting deletion.</summary>
    public void UpdateRetired(Urn urn, string? id, ResourceState resource) =>
        Append("retired", w =>
        {
            w.WriteString("urn", urn.Value);
            if (id is not null) w.WriteString("id", id);
            w.WritePropertyName("resource");
            StateJson.WriteResource(w, resource with { Delete = true }, _cipher);
        }, () => State.UpdateRetired(urn, id, resource));

    public void Remove(Urn urn, string? id, bool retired) =>
        Append("remove", w =>
        {
            w.WriteString("urn", urn.Value);
            if (id is not null) w.WriteString("id", id);
            if (retired) w.WriteBoolean("retired", true);
        }, () => State.Remove(urn, id, retired));

    public void SetOutputs(PropertyMap outputs) =>
        Append("outputs", w =>
        {
            w.WritePropertyName("outputs");
            PropertyJson.WriteMap(w, outputs, _cipher);
        }, () => State.Outputs = outputs);

    /// <summary>Writes the whole state as the new snapshot (atomically, keeping a backup) and starts a new journal.</summary>
    public void Checkpoint()
    {
        lock (_gate)
        {
            Directory.CreateDirectory(_directory);
            var temp = SnapshotPath + ".tmp";
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                using (var w = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
                {
                    w.WriteStartObject();
                    w.WriteNumber("version", FormatVersion);
                    // Every journal entry up to this one is in this snapshot: should the journal outlive the
                    // snapshot (a kill between the rename below and the journal's deletion), replay skips them.
                    w.WriteNumber("journalSeq", _seq);
                    w.WritePropertyName("outputs");
                    PropertyJson.WriteMap(w, State.Outputs, _cipher);
                    w.WriteStartArray("resources");
                    foreach (var r in State.InDependencyOrder()) StateJson.WriteResource(w, r, _cipher);
                    w.WriteEndArray();
                    w.WriteStartArray("pending");
                    foreach (var p in State.Pending)
                    {
                        w.WriteStartObject();
                        w.WriteString("op", p.Operation);
                        w.WritePropertyName("resource");
                        StateJson.WriteResource(w, p.Resource, _cipher);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                BytesWritten += file.Length;
                file.Flush(flushToDisk: true);
            }
            if (File.Exists(SnapshotPath)) File.Copy(SnapshotPath, SnapshotPath + ".bak", overwrite: true);
            File.Move(temp, SnapshotPath, overwrite: true);
            _journal?.Dispose();
            _journal = null;
            File.Delete(JournalPath);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _journal?.Dispose();
            _journal = null;
        }
    }

    private void Append(string kind, Action<Utf8JsonWriter> body, Action apply)
    {
        lock (_gate)
        {
            _journal ??= OpenJournal();
            var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteNumber("seq", ++_seq);
                w.WriteString("kind", kind);
                body(w);
                w.WriteEndObject();
            }
            buffer.WriteByte((byte)'\n');
            _journal.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            // Flushed to the OS at every entry: a killed process loses nothing it journaled.
            _journal.Flush();
            BytesWritten += buffer.Length;
            apply();
        }
    }

    private FileStream OpenJournal()
    {
        Directory.CreateDirectory(_directory);
        var journal = new FileStream(JournalPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, 1 << 12);
        if (_truncateJournalTo is { } length) journal.SetLength(length);
        journal.Seek(0, SeekOrigin.End);
        if (_terminateJournal) journal.WriteByte((byte)'\n');
        _truncateJournalTo = null;
        _terminateJournal = false;
        return journal;
    }

    private void LoadSnapshot()
    {
        if (!File.Exists(SnapshotPath)) return;
        try
        {
            using var stream = File.OpenRead(SnapshotPath);
            using var doc = JsonDocument.Parse(stream);
            var root = doc.RootElement;
            var version = root.GetProperty("version").GetInt32();
            if (version != FormatVersion) throw new JsonException($"unsupported state format version {version}");
            if (root.TryGetProperty("journalSeq", out var journalSeq)) _seq = _snapshotSeq = journalSeq.GetInt64();
            Exception Damage(Exception e) => Damaged(SnapshotPath, Describe(e), e);
            State.Outputs = PropertyJson.ReadMap(root.GetProperty("outputs"), _cipher, Damage);
            foreach (var e in root.GetProperty("resources").EnumerateArray())
            {
                var r = StateJson.ReadResource(e, _cipher, Damage);
                if (r.Delete) State.AddRetired(r); // never through the live map: the new half may share its URN
                else State.Put(r);
            }
            if (root.TryGetProperty("pending", out var pending))
            {
                foreach (var p in pending.EnumerateArray())
                    State.Begin(new PendingOperation(p.GetProperty("op").GetString()!, StateJson.ReadResource(p.GetProperty("resource"), _cipher, Damage)));
            }
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw Damaged(SnapshotPath, Describe(e), e);
        }
    }

    private void ReplayJournal()
    {
        if (!File.Exists(JournalPath)) return;
        var bytes = File.ReadAllBytes(JournalPath);
        var complete = Array.LastIndexOf(bytes, (byte)'\n') + 1; // the bytes up to and including the last newline
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var text = lines[i];
            if (text.Length == 0) continue;
            var last = i == lines.Length - 1; // no newline after it: a write the crash may have cut short
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                if (!last) throw Damaged(JournalPath, $"line {i + 1}: {e.Message}", e);
                // Cut it off before the next entry is appended, or the two would be glued into one damaged line.
                _truncateJournalTo = complete;
                break;
            }
            try
            {
                var line = i + 1;
                using (doc) ApplyEntry(doc.RootElement, e => Damaged(JournalPath, $"line {line}: {Describe(e)}", e));
                if (last) _terminateJournal = true; // whole, but its newline was lost: end it before appending
            }
            catch (Exception e) when (IsDamage(e))
            {
                // Complete JSON that does not make sense was written that way (or altered later): not a torn write.
                throw Damaged(JournalPath, $"line {i + 1}: {Describe(e)}", e);
            }
        }
        Interrupted = State.Pending.Count > 0;
    }

    private void ApplyEntry(JsonElement e, Func<Exception, Exception> damaged)
    {
        var seq = e.GetProperty("seq").GetInt64();
        _seq = Math.Max(_seq, seq);
        if (seq <= _snapshotSeq) return; // already in the snapshot
        var urn = e.TryGetProperty("urn", out var u) ? new Urn(u.GetString()!) : null;
        switch (e.GetProperty("kind").GetString())
        {
            case "begin":
                State.Begin(new PendingOperation(e.GetProperty("op").GetString()!, StateJson.ReadResource(e.GetProperty("resource"), _cipher, damaged)));
                break;
            case "end": State.End(urn!); break;
            case "put": State.Put(StateJson.ReadResource(e.GetProperty("resource"), _cipher, damaged)); break;
            case "retire": State.Retire(urn!); break;
            case "retired":
                State.UpdateRetired(urn!, e.TryGetProperty("id", out var oldId) ? oldId.GetString() : null, StateJson.ReadResource(e.GetProperty("resource"), _cipher, damaged));
                break;
            case "remove":
                State.Remove(urn!, e.TryGetProperty("id", out var id) ? id.GetString() : null, e.TryGetProperty("retired", out _));
                break;
            case "outputs": State.Outputs = PropertyJson.ReadMap(e.GetProperty("outputs"), _cipher, damaged); break;
            case var other: throw new JsonException($"unknown journal entry kind '{other}'");
        }
    }

    private static bool IsDamage(Exception e) =>
        e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or CryptographicException;

    // The passphrase was already checked against secrets.json, so a secret that fails to decrypt was altered.
    private static string Describe(Exception e) => e is CryptographicException
        ? $"a secret value fails its integrity check, so the file was altered ({e.Message})"
        : e.Message;

    private StateDamagedException Damaged(string path, string detail, Exception inner)
    {
        var backup = SnapshotPath + ".bak";
        var hint = File.Exists(backup)
            ? $"The previous snapshot is kept at {backup}."
            : "There is no backup snapshot.";
        return new StateDamagedException(
            $"state file {path} is damaged ({detail}). Nothing was changed and it will not be overwritten. {hint} " +
            "Move the damaged file aside or restore it, then run the command again.", inner);
    }
}
