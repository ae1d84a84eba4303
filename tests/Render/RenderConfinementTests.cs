using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Render;

namespace ScyllaApocryph.Tests.Render;

/// <summary>At apply time the render provider never follows a symbolic link out of its directory or the project.</summary>
public sealed class RenderConfinementTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("confine-").FullName;

    public void Dispose() => Directory.Delete(_base, true);

    private string Project => Path.Combine(_base, "project");

    private string Outside => Path.Combine(_base, "outside");

    private RenderProvider Provider(string root) => new(root, Project);

    private static CreateRequest File(string path, string content) =>
        new(Urn, RenderProvider.FileType, PropertyMap.Of(("path", path), ("content", PropertyValue.Secret(content))));

    private static readonly ScyllaApocryph.Engine.Resources.Urn Urn = new("urn:pulumi:test::proj::render:index:File::f");

    private void Setup()
    {
        Directory.CreateDirectory(Path.Combine(Project, "out", "alpha"));
        Directory.CreateDirectory(Outside);
    }

    [Fact]
    public async Task A_node_folder_that_is_a_symlink_out_of_the_root_is_not_written_through()
    {
        Setup();
        Directory.CreateSymbolicLink(Path.Combine(Project, "out", "alpha", "node-0"), Outside);

        await Assert.ThrowsAsync<IOException>(() => Provider(Path.Combine(Project, "out", "alpha")).CreateAsync(File("node-0/node.key", "KEY"), default));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public async Task A_root_that_is_a_symlink_out_of_the_project_is_not_written_to()
    {
        Setup();
        Directory.CreateSymbolicLink(Path.Combine(Project, "out", "beta"), Outside);

        await Assert.ThrowsAsync<IOException>(() => Provider(Path.Combine(Project, "out", "beta")).CreateAsync(File("node-0/node.key", "KEY"), default));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public async Task Delete_through_a_symlinked_folder_leaves_the_file_outside_in_place()
    {
        Setup();
        var root = Path.Combine(Project, "out", "alpha");
        var created = await Provider(root).CreateAsync(File("node-0/node.key", "KEY"), default);
        Directory.Delete(Path.Combine(root, "node-0"), true);
        System.IO.File.WriteAllText(Path.Combine(Outside, "node.key"), "someone else's");
        Directory.CreateSymbolicLink(Path.Combine(root, "node-0"), Outside);

        await Assert.ThrowsAsync<IOException>(() => Provider(root).DeleteAsync(new DeleteRequest(Urn, RenderProvider.FileType, created.Id, PropertyMap.Empty, created.Outputs), default));

        Assert.Equal("someone else's", System.IO.File.ReadAllText(Path.Combine(Outside, "node.key")));
    }

    [Fact]
    public async Task A_file_that_is_a_symlink_is_replaced_not_followed()
    {
        Setup();
        var root = Path.Combine(Project, "out", "alpha");
        System.IO.File.WriteAllText(Path.Combine(Outside, "target"), "outside");
        Directory.CreateDirectory(Path.Combine(root, "node-0"));
        System.IO.File.CreateSymbolicLink(Path.Combine(root, "node-0", "node.key"), Path.Combine(Outside, "target"));

        await Provider(root).CreateAsync(File("node-0/node.key", "KEY"), default);

        Assert.Equal("outside", System.IO.File.ReadAllText(Path.Combine(Outside, "target")));
        Assert.Null(new FileInfo(Path.Combine(root, "node-0", "node.key")).LinkTarget);
        Assert.Equal("KEY", System.IO.File.ReadAllText(Path.Combine(root, "node-0", "node.key")));
    }

    [Fact]
    public void The_real_path_follows_every_link_on_the_way_and_keeps_a_missing_tail()
    {
        Setup();
        Directory.CreateSymbolicLink(Path.Combine(Project, "out", "link"), "../../outside");

        Assert.Equal(Path.Combine(Outside, "a", "b"), RealPath.Of(Path.Combine(Project, "out", "link", "a", "b")));
    }
}
