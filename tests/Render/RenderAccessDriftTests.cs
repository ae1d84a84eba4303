using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Render;

namespace ScyllaApocryph.Tests.Render;

/// <summary>A secret file opened up by hand (chmod 644 node.key) is drift: refresh records it and up repairs it.</summary>
public sealed class RenderAccessDriftTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _root = Directory.CreateTempSubdirectory("render-access-").FullName;
    private readonly string _state = Directory.CreateTempSubdirectory("render-access-state-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, true);
        Directory.Delete(_state, true);
    }

    private string Key => Path.Combine(_root, "node-0", "node.key");

    private static ResourceGraph KeyFile()
    {
        var g = new ResourceGraph("test", "proj");
        g.Resource(RenderProvider.FileType, "node-0/node.key", "disk", PropertyMap.Of(("path", "node-0/node.key"), ("content", PropertyValue.Secret("KEY"))));
        return g;
    }

    private async Task<DeploymentResult> Run(bool refresh = false)
    {
        using var store = StateStore.Open(_state, PassphraseCipher.Open(_state, "p", 1000));
        var engine = new DeploymentEngine(new ProviderRegistry().Add("disk", new RenderProvider(_root)));
        return refresh ? await engine.RefreshAsync(store) : await engine.UpAsync(KeyFile(), store);
    }

    [Fact]
    public async Task A_secret_file_made_world_readable_shows_as_drift_in_refresh_and_up_makes_it_private_again()
    {
        await Run();
        File.SetUnixFileMode(Key, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var refresh = await Run(refresh: true);
        var repair = await Run();
        var after = await Run();

        var change = Assert.Single(Assert.Single(refresh.Outcomes).Step.Changes);
        Assert.Equal("mode", change.Key);
        Assert.Equal("0600", change.Old!.AsString);
        Assert.Equal("0644", change.New!.AsString);
        var update = Assert.Single(repair.Outcomes).Step;
        Assert.Equal(StepKind.Update, update.Kind);
        Assert.Contains(update.Notes, n => n.Contains("mode was changed outside this program to 0644; it must be 0600", StringComparison.Ordinal));
        Assert.Equal(Private, File.GetUnixFileMode(Key));
        Assert.False(after.HasChanges);
    }

    [Fact]
    public async Task The_state_records_the_owner_of_each_file()
    {
        var up = await Run();

        Assert.True(up.Succeeded);
        using var store = StateStore.Open(_state, PassphraseCipher.Open(_state, "p", 1000));
        var outputs = Assert.Single(store.State.Live).Outputs;
        Assert.Equal("0600", outputs.GetString("mode"));
        using var id = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("id", "-u") { RedirectStandardOutput = true })!;
        var uid = double.Parse(id.StandardOutput.ReadToEnd().Trim(), System.Globalization.CultureInfo.InvariantCulture);
        id.WaitForExit();
        Assert.Equal(uid, outputs.Get("owner")!.AsNumber);
    }

    [RootFact]
    public async Task A_secret_file_handed_to_another_user_is_drift_and_up_takes_it_back()
    {
        await Run();
        using (var chown = System.Diagnostics.Process.Start("chown", ["65534", Key])!) chown.WaitForExit();

        var repair = await Run();

        var update = Assert.Single(repair.Outcomes).Step;
        Assert.Equal(StepKind.Update, update.Kind);
        Assert.Contains(update.Notes, n => n.Contains("owned by uid 65534", StringComparison.Ordinal));
        Assert.False((await Run()).HasChanges);
    }
}

/// <summary>A fact that needs root (to give a file to another user); skipped with the reason elsewhere.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root") Skip = "needs root, to give a file to another user";
    }
}
