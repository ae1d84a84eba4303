using System.Text;
using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Tests.Engine;

public sealed class StateStoreTests : IDisposable
{
    private const string Thing = "test:index:Thing";
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    /// <summary>Copies the state directory as it is on disk at this instant: what a process killed now leaves behind.</summary>
    private string FreezeStateDirectory()
    {
        var copy = Directory.CreateTempSubdirectory("killed-").FullName;
        foreach (var file in Directory.GetFiles(_h.Directory)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    private static ResourceGraph Graph(params string[] names)
    {
        var g = EngineHarness.NewGraph();
        foreach (var n in names) g.Resource(Thing, n, "mem", PropertyMap.Of(("size", 1)));
        return g;
    }

    /// <summary>
    /// Runs up, and continues from the state files as they were when <paramref name="victim"/> had been created
    /// at the provider but the engine had not yet heard back: what a process killed at that moment leaves.
    /// </summary>
    private async Task KillWhileCreating(string victim, ResourceGraph graph)
    {
        string? killedState = null;
        // The kill: the state files are frozen as they are, and nothing the run would still do reaches the provider
        // (without that, a resource begun only after the freeze could be live yet unknown to the frozen state).
        _h.Provider.AfterCreate = id =>
        {
            if (id != victim || killedState is not null) return;
            killedState = FreezeStateDirectory();
            _h.Provider.Killed = true;
        };
        await _h.UpAsync(graph);
        _h.Provider.AfterCreate = null;
        _h.Provider.Killed = false;
        Directory.Delete(_h.Directory, true);
        Directory.Move(killedState!, _h.Directory);
    }

    [Fact]
    public async Task A_process_killed_between_begin_and_end_of_a_create_is_resumed_without_duplicate_or_orphan()
    {
        await KillWhileCreating("b", Graph("a", "b"));
        using (var store = _h.OpenStore())
        {
            Assert.True(store.Interrupted);
            Assert.Equal("create", store.State.PendingFor(new Urn("urn:pulumi:test::proj::test:index:Thing::b"))!.Operation);
            Assert.Null(store.State.Find(new Urn("urn:pulumi:test::proj::test:index:Thing::b")));
        }

        var resumed = await _h.UpAsync(Graph("a", "b"));

        Assert.Contains("resuming an interrupted create", resumed.Outcomes.Single(o => o.Step.Name == "b").Step.Reason);
        Assert.Equal(2, _h.Provider.PhysicalCreates);
        Assert.Equal(["a", "b"], _h.Provider.Live.Keys.Order());
        using var after = _h.OpenStore();
        Assert.Equal(2, after.State.Live.Count);
        Assert.Empty(after.State.Pending);
    }

    [Fact]
    public async Task An_interrupted_create_of_a_resource_no_longer_wanted_is_adopted_and_deleted()
    {
        await KillWhileCreating("b", Graph("a", "b"));

        await _h.UpAsync(Graph("a"));

        Assert.Equal(["a"], _h.Provider.Live.Keys);
        using var after = _h.OpenStore();
        Assert.Empty(after.State.Pending);
        Assert.Single(after.State.Live);
    }

    [Fact]
    public async Task An_orphan_is_looked_up_and_deleted_and_never_created_again()
    {
        await KillWhileCreating("b", Graph("a", "b"));
        var before = _h.Provider.Calls.Count;

        await _h.UpAsync(Graph("a"));

        var calls = _h.Provider.Calls.Skip(before).ToList();
        Assert.DoesNotContain("create:b", calls);
        Assert.Contains("find:b", calls);
        Assert.Contains("delete:b", calls);
    }

    [Fact]
    public async Task Destroy_with_an_orphan_its_provider_cannot_look_up_changes_nothing_there_and_refresh_settles_it()
    {
        await KillWhileCreating("b", Graph("a", "b"));
        _h.Provider.Unfindable = true;
        var before = _h.Provider.Calls.Count;

        var destroy = await _h.DestroyAsync();

        var orphan = destroy.Outcomes.Single(o => o.Step.Name == "b");
        Assert.Equal(StepStatus.Failed, orphan.Status);
        Assert.Contains("run refresh to settle it", orphan.Error);
        Assert.DoesNotContain(_h.Provider.Calls.Skip(before), c => c is "create:b" or "delete:b");
        Assert.Contains("b", _h.Provider.Live.Keys);

        var refresh = await _h.RefreshAsync();

        Assert.Contains("could not be checked", refresh.Outcomes.Single(o => o.Step.Name == "b").Step.Reason);
        using var after = _h.OpenStore();
        Assert.Empty(after.State.Pending);
    }

    [Fact]
    public async Task Refresh_records_what_an_interrupted_create_left_so_destroy_then_deletes_it()
    {
        await KillWhileCreating("b", Graph("a", "b"));
        var before = _h.Provider.Calls.Count;

        var refresh = await _h.RefreshAsync();
        await _h.DestroyAsync();

        Assert.Contains("left it behind: recorded", refresh.Outcomes.Single(o => o.Step.Name == "b").Step.Reason);
        Assert.DoesNotContain("create:b", _h.Provider.Calls.Skip(before));
        Assert.Empty(_h.Provider.Live);
    }

    [Fact]
    public async Task A_journal_line_cut_short_by_a_crash_is_ignored()
    {
        await _h.UpAsync(Graph("a"));
        using (var store = _h.OpenStore())
        {
            store.Put(store.State.Live.Single() with { Id = "moved" });
        }
        File.AppendAllText(Path.Combine(_h.Directory, StateStore.JournalFile), "{\"seq\":99,\"kind\":\"pu");

        using var reopened = _h.OpenStore();

        Assert.Equal("moved", reopened.State.Live.Single().Id);
    }

    [Fact]
    public async Task A_run_after_a_torn_journal_line_appends_cleanly_and_a_later_load_keeps_its_entries()
    {
        await _h.UpAsync(Graph("a"));
        using (var store = _h.OpenStore())
        {
            store.Put(store.State.Live.Single() with { Id = "moved" });
        }
        File.AppendAllText(Path.Combine(_h.Directory, StateStore.JournalFile), "{\"seq\":99,\"kind\":\"pu");

        using (var next = _h.OpenStore())
        {
            next.Put(next.State.Live.Single() with { Id = "moved-again" });
        }
        using var reopened = _h.OpenStore();

        Assert.Equal("moved-again", reopened.State.Live.Single().Id);
        Assert.DoesNotContain("\"pu{", File.ReadAllText(Path.Combine(_h.Directory, StateStore.JournalFile)));
    }

    [Fact]
    public async Task A_journal_line_that_lost_only_its_newline_is_kept_and_ended_before_the_next_entry()
    {
        await _h.UpAsync(Graph("a"));
        using (var store = _h.OpenStore())
        {
            store.Put(store.State.Live.Single() with { Id = "moved" });
        }
        var journal = Path.Combine(_h.Directory, StateStore.JournalFile);
        File.WriteAllText(journal, File.ReadAllText(journal).TrimEnd('\n'));

        using (var next = _h.OpenStore())
        {
            Assert.Equal("moved", next.State.Live.Single().Id);
            next.Put(next.State.Live.Single() with { Id = "moved-again" });
        }
        using var reopened = _h.OpenStore();

        Assert.Equal("moved-again", reopened.State.Live.Single().Id);
    }

    [Fact]
    public async Task A_journal_left_behind_by_a_kill_after_the_snapshot_was_written_is_not_applied_twice()
    {
        await _h.UpAsync(Graph("a"));
        var journal = Path.Combine(_h.Directory, StateStore.JournalFile);
        var urn = new Urn("urn:pulumi:test::proj::test:index:Thing::a");
        (IReadOnlyList<ResourceState> Live, IReadOnlyList<ResourceState> Retired) before;
        using (var store = _h.OpenStore())
        {
            // What a replacement journals: the new half is created, the old one retired, the new one recorded.
            var old = store.State.Find(urn)!;
            store.Begin("create", old with { Id = null });
            store.Retire(urn);
            store.Put(old with { Id = "a-new" });
            store.End(urn);
            before = (store.State.Live, store.State.Retired);
            var kept = File.ReadAllBytes(journal);
            store.Checkpoint();
            File.WriteAllBytes(journal, kept); // killed after the new snapshot moved into place, before the journal went
        }

        using var reopened = _h.OpenStore();

        Assert.Equal(before.Live, reopened.State.Live);
        Assert.Equal(before.Retired, reopened.State.Retired);
        Assert.Empty(reopened.State.Pending);
    }

    [Fact]
    public async Task After_a_journal_outlived_its_snapshot_the_next_runs_entries_are_still_replayed()
    {
        await _h.UpAsync(Graph("a"));
        var journal = Path.Combine(_h.Directory, StateStore.JournalFile);
        using (var store = _h.OpenStore())
        {
            store.Put(store.State.Live.Single() with { Id = "first" });
            var kept = File.ReadAllBytes(journal);
            store.Checkpoint();
            File.WriteAllBytes(journal, kept);
        }
        using (var next = _h.OpenStore())
        {
            next.Put(next.State.Live.Single() with { Id = "second" });
        }

        using var reopened = _h.OpenStore();

        Assert.Equal("second", reopened.State.Live.Single().Id);
    }

    [Fact]
    public async Task An_update_of_an_old_half_is_journaled_and_replayed_onto_the_old_half()
    {
        await _h.UpAsync(Graph("a"));
        using (var store = _h.OpenStore())
        {
            var old = store.State.Live.Single();
            store.Retire(old.Urn);
            store.Put(old with { Id = "new" });
            store.UpdateRetired(old.Urn, old.Id, old with { Id = "old-read-back" });
        }

        using var reopened = _h.OpenStore();

        Assert.Equal("new", reopened.State.Live.Single().Id);
        Assert.Equal("old-read-back", reopened.State.Retired.Single().Id);
    }

    [Fact]
    public async Task A_damaged_snapshot_gives_a_clear_error_and_is_never_overwritten()
    {
        await _h.UpAsync(Graph("a"));
        await _h.UpAsync(Graph("a", "b"));
        var snapshot = Path.Combine(_h.Directory, StateStore.SnapshotFile);
        File.WriteAllText(snapshot, "{ this is not json");

        var error = Assert.Throws<StateDamagedException>(() => _h.OpenStore());

        Assert.Contains("snapshot.json is damaged", error.Message);
        Assert.Contains("snapshot.json.bak", error.Message);
        Assert.Equal("{ this is not json", File.ReadAllText(snapshot));
        Assert.True(File.Exists(snapshot + ".bak"));
    }

    [Fact]
    public async Task A_damaged_line_inside_the_journal_is_reported_with_its_line_number()
    {
        await _h.UpAsync(Graph("a"));
        using (var store = _h.OpenStore())
        {
            store.Put(store.State.Live.Single() with { Id = "x" });
            store.Put(store.State.Live.Single() with { Id = "y" });
        }
        var journal = Path.Combine(_h.Directory, StateStore.JournalFile);
        var lines = File.ReadAllLines(journal);
        lines[0] = "garbage";
        File.WriteAllLines(journal, lines);

        var error = Assert.Throws<StateDamagedException>(() => _h.OpenStore());

        Assert.Contains("line 1", error.Message);
    }

    [Fact]
    public async Task A_finished_run_folds_its_journal_into_the_snapshot()
    {
        await _h.UpAsync(Graph("a", "b"));

        Assert.False(File.Exists(Path.Combine(_h.Directory, StateStore.JournalFile)));
        using var store = _h.OpenStore();
        Assert.Equal(2, store.State.Live.Count);
    }

    [Fact]
    public async Task Secret_values_never_appear_in_the_state_files_in_plaintext()
    {
        const string password = "hunter2-very-secret";
        var g = EngineHarness.NewGraph();
        g.Resource(Thing, "db", "mem", PropertyMap.Of(("password", PropertyValue.Secret(password))));
        g.Export("password", PropertyValue.Secret(password));

        // Leave a journal behind too, by stopping mid-run.
        string? frozen = null;
        _h.Provider.AfterCreate = _ => frozen = FreezeStateDirectory();
        await _h.UpAsync(g);

        foreach (var dir in new[] { _h.Directory, frozen! })
            foreach (var file in Directory.GetFiles(dir))
                Assert.DoesNotContain(password, Encoding.UTF8.GetString(File.ReadAllBytes(file)));
        using var store = _h.OpenStore();
        Assert.Equal(password, store.State.Live.Single().Inputs.Get("password")!.Reveal().AsString);
        Assert.IsType<SecretValue>(store.State.Live.Single().Outputs.Get("password"));
        Directory.Delete(frozen!, true);
    }

    [Fact]
    public void A_wrong_passphrase_is_refused_before_any_secret_is_encrypted_or_decrypted()
    {
        var right = PassphraseCipher.Open(_h.Directory, "right", iterations: 1000);
        var stored = right.Encrypt("hunter2"u8);

        // Opening derives no key (KeyDerivationTests); the first use does, and refuses a wrong passphrase then.
        var wrong = PassphraseCipher.Open(_h.Directory, "wrong", iterations: 1000);
        var error = Assert.Throws<WrongPassphraseException>(() => wrong.Decrypt(stored));
        Assert.Throws<WrongPassphraseException>(() => wrong.Encrypt("x"u8));

        Assert.Contains("PULUMI_CONFIG_PASSPHRASE", error.Message);
    }

    /// <summary>Flips one bit inside the first encrypted value of a state file, keeping it valid base64 and JSON.</summary>
    internal static void AlterFirstSecret(string file)
    {
        var text = File.ReadAllText(file);
        var match = System.Text.RegularExpressions.Regex.Match(text, "\"\\$secret\":\\s*\"([^\"]+)\"");
        var raw = match.Groups[1].Value; // JSON-escaped: the writer escapes '+' as \u002B
        var bytes = Convert.FromBase64String(System.Text.Json.JsonSerializer.Deserialize<string>("\"" + raw + "\"")!);
        bytes[^1] ^= 1;
        File.WriteAllText(file, text.Replace(raw, Convert.ToBase64String(bytes)));
    }

    private async Task UpWithASecret()
    {
        var g = EngineHarness.NewGraph();
        g.Resource(Thing, "db", "mem", PropertyMap.Of(("password", PropertyValue.Secret("hunter2"))));
        await _h.UpAsync(g);
    }

    [Fact]
    public async Task An_altered_secret_in_the_snapshot_is_reported_as_damage_to_that_file()
    {
        await UpWithASecret();
        await UpWithASecret(); // a second run leaves the first snapshot as the backup
        var snapshot = Path.Combine(_h.Directory, StateStore.SnapshotFile);
        AlterFirstSecret(snapshot);
        var altered = File.ReadAllText(snapshot);

        // Secrets stay sealed until used: the damage shows when they are opened, which every writing command does first.
        using var store = _h.OpenStore();
        var error = Assert.Throws<StateDamagedException>(store.VerifySecrets);
        var onUse = Assert.Throws<StateDamagedException>(() => store.State.Live.Single().Inputs.Get("password")!.Reveal());

        Assert.Equal(error.Message, onUse.Message);
        Assert.Contains("snapshot.json is damaged", error.Message);
        Assert.Contains("altered", error.Message);
        Assert.Contains("snapshot.json.bak", error.Message);
        Assert.Equal(altered, File.ReadAllText(snapshot));
    }

    [Fact]
    public async Task An_altered_secret_on_the_last_journal_line_is_damage_not_a_torn_write()
    {
        await _h.UpAsync(Graph("a"));
        using (var writer = _h.OpenStore())
        {
            writer.SetOutputs(PropertyMap.Of(("password", PropertyValue.Secret("hunter2"))));
        }
        var journal = Path.Combine(_h.Directory, StateStore.JournalFile);
        AlterFirstSecret(journal);
        var altered = File.ReadAllText(journal);

        using var store = _h.OpenStore();
        var error = Assert.Throws<StateDamagedException>(store.VerifySecrets);

        Assert.Contains("journal.jsonl is damaged (line 1: a secret value fails its integrity check", error.Message);
        Assert.Equal(altered, File.ReadAllText(journal));
    }

    [Theory]
    [InlineData("\"salt\": \"not base64!\"", "'salt' is not valid base64")]
    [InlineData("\"check\": \"AAAA\"", "'check' is too short")]
    [InlineData("\"iterations\": 0", "iterations must be a positive number")]
    public void A_damaged_secrets_file_is_reported_as_damage_and_not_as_a_wrong_passphrase(string damage, string detail)
    {
        PassphraseCipher.Open(_h.Directory, "right", iterations: 1000);
        var settings = Path.Combine(_h.Directory, PassphraseCipher.SettingsFile);
        var key = damage[..damage.IndexOf(':')];
        File.WriteAllText(settings, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(settings), key + ": [^,\n]+", damage));
        var damaged = File.ReadAllText(settings);

        var error = Assert.Throws<StateDamagedException>(() => PassphraseCipher.Open(_h.Directory, "right", iterations: 1000));

        Assert.Contains("secrets.json is damaged", error.Message);
        Assert.Contains(detail, error.Message);
        Assert.Equal(damaged, File.ReadAllText(settings));
    }

    [Fact]
    public void Encrypting_the_same_secret_twice_gives_different_ciphertexts()
    {
        var cipher = PassphraseCipher.Open(_h.Directory, "p", iterations: 1000);

        var a = cipher.Encrypt("same"u8);
        var b = cipher.Encrypt("same"u8);

        Assert.NotEqual(a, b);
        Assert.Equal("same", Encoding.UTF8.GetString(cipher.Decrypt(a)));
    }

    [Fact]
    public async Task Secrets_are_redacted_in_plan_output()
    {
        await _h.UpAsync(EngineHarness.NewGraph());
        var g = EngineHarness.NewGraph();
        g.Resource(Thing, "db", "mem", PropertyMap.Of(("password", PropertyValue.Secret("hunter2"))));

        var plan = await _h.PreviewAsync(g);

        var line = plan.Outcomes.Single().Step.Changes.Single().Describe();
        Assert.Equal("+ password: [secret]", line);
        Assert.Contains("hunter2", plan.Outcomes.Single().Step.Changes.Single().Describe(showSecrets: true));
    }
}
