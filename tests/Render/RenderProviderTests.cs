using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Render;

namespace ScyllaApocryph.Tests.Render;

public sealed class RenderProviderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("render-").FullName;
    private readonly string _state = Directory.CreateTempSubdirectory("render-state-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, true);
        Directory.Delete(_state, true);
    }

    private string Out => Path.Combine(_root, "out");

    private static ResourceGraph Files(params (string Path, PropertyValue Content)[] files)
    {
        var g = new ResourceGraph("test", "proj");
        foreach (var (path, content) in files)
            g.Resource(RenderProvider.FileType, path, "disk", PropertyMap.Of(("path", path), ("content", content)));
        return g;
    }

    private async Task<DeploymentResult> Up(ResourceGraph graph, bool refresh = false)
    {
        using var store = StateStore.Open(_state, PassphraseCipher.Open(_state, "p", 1000));
        var engine = new DeploymentEngine(new ProviderRegistry().Add("disk", new RenderProvider(Out)));
        return refresh ? await engine.RefreshAsync(store) : await engine.UpAsync(graph, store);
    }

    [Fact]
    public async Task Rendering_twice_writes_once_and_then_reports_no_changes()
    {
        var graph = Files(("node-0/scylla.yaml", "cluster_name: x\n"));
        await Up(graph);
        var written = File.GetLastWriteTimeUtc(Path.Combine(Out, "node-0/scylla.yaml"));

        var second = await Up(graph);

        Assert.False(second.HasChanges);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(Out, "node-0/scylla.yaml")));
    }

    [Fact]
    public async Task A_file_edited_by_hand_is_repaired_by_the_next_up()
    {
        var graph = Files(("a.txt", "wanted\n"));
        await Up(graph);
        File.WriteAllText(Path.Combine(Out, "a.txt"), "tampered\n");

        var repair = await Up(graph);

        Assert.Equal(StepKind.Update, repair.Outcomes.Single().Step.Kind);
        Assert.Contains("changed outside this program", repair.Outcomes.Single().Step.Notes.Single());
        Assert.Equal("wanted\n", File.ReadAllText(Path.Combine(Out, "a.txt")));
    }

    [Fact]
    public async Task Refresh_records_a_file_deleted_by_hand_and_the_next_up_recreates_it()
    {
        var graph = Files(("a.txt", "wanted\n"), ("b.txt", "kept\n"));
        await Up(graph);
        File.Delete(Path.Combine(Out, "a.txt"));

        var drift = await Up(graph, refresh: true);
        var repair = await Up(graph);

        Assert.Equal("gone: deleted outside this program", drift.Outcomes.Single(o => o.Step.Name == "a.txt").Step.Reason);
        Assert.Null(drift.Outcomes.Single(o => o.Step.Name == "b.txt").Step.Reason);
        Assert.Equal(StepKind.Create, repair.Outcomes.Single(o => o.Step.Name == "a.txt").Step.Kind);
        Assert.Equal("wanted\n", File.ReadAllText(Path.Combine(Out, "a.txt")));
    }

    [Fact]
    public async Task Refresh_then_up_still_repairs_an_edited_file()
    {
        var graph = Files(("a.txt", "wanted\n"));
        await Up(graph);
        File.WriteAllText(Path.Combine(Out, "a.txt"), "tampered\n");

        await Up(graph, refresh: true);
        await Up(graph);

        Assert.Equal("wanted\n", File.ReadAllText(Path.Combine(Out, "a.txt")));
    }

    [Fact]
    public async Task Deleting_removes_the_file_and_the_empty_folders_the_provider_made()
    {
        await Up(Files(("deep/er/a.txt", "x"), ("keep.txt", "y")));

        await Up(Files(("keep.txt", "y")));

        Assert.False(Directory.Exists(Path.Combine(Out, "deep")));
        Assert.True(File.Exists(Path.Combine(Out, "keep.txt")));
        await Up(Files());
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task What_a_write_cut_off_by_a_kill_left_behind_is_removed_by_the_next_write_and_by_delete()
    {
        await Up(Files(("a/x.txt", "old"), ("a/y.txt", "y")));
        // A kill between writing the partial file and the rename leaves both on disk.
        var partialX = RenderProvider.PartialPath(Path.Combine(Out, "a/x.txt"));
        var partialY = RenderProvider.PartialPath(Path.Combine(Out, "a/y.txt"));
        File.WriteAllText(partialX, "half");
        File.WriteAllText(partialY, "half");

        await Up(Files(("a/x.txt", "new"), ("a/y.txt", "y")));
        Assert.False(File.Exists(partialX));
        Assert.Equal("new", File.ReadAllText(Path.Combine(Out, "a/x.txt")));

        await Up(Files());
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task A_leftover_partial_file_never_lends_its_mode_to_secret_content()
    {
        var partial = RenderProvider.PartialPath(Path.Combine(Out, "key.pem"));
        Directory.CreateDirectory(Out);
        File.WriteAllText(partial, "half");
        File.SetUnixFileMode(partial, (UnixFileMode)Convert.ToInt32("666", 8));

        await Up(Files(("key.pem", PropertyValue.Secret("PRIVATE"))));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Out, "key.pem")));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public async Task Secret_content_is_written_readable_by_the_owner_only()
    {
        await Up(Files(("key.pem", PropertyValue.Secret("PRIVATE")), ("public.txt", "hello")));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Out, "key.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(Path.Combine(Out, "public.txt")));
        Assert.Equal("PRIVATE", File.ReadAllText(Path.Combine(Out, "key.pem")));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    public async Task A_path_outside_the_directory_is_refused(string path)
    {
        var result = await Up(Files((path, "x")));

        Assert.Contains("path:", result.Outcomes.Single().Error);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task Moving_the_directory_replaces_the_files()
    {
        await Up(Files(("a.txt", "x")));
        using (var store = StateStore.Open(_state, PassphraseCipher.Open(_state, "p", 1000)))
        {
            var moved = Path.Combine(_root, "elsewhere");
            await new DeploymentEngine(new ProviderRegistry().Add("disk", new RenderProvider(moved))).UpAsync(Files(("a.txt", "x")), store);
            Assert.True(File.Exists(Path.Combine(moved, "a.txt")));
        }
        Assert.False(File.Exists(Path.Combine(Out, "a.txt")));
    }
}
