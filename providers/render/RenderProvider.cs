using System.Security.Cryptography;
using System.Text;
using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Providers.Render;

/// <summary>
/// Writes files under one directory (a provider of kind <c>render</c>). Resource type <c>render:index:File</c>,
/// inputs <c>path</c> (relative, no <c>..</c>), <c>content</c> (may be secret) and optional <c>mode</c>
/// (octal, e.g. "0644"); secret content is always written with mode 0600. The id is the relative path.
/// Diff and Read look at the disk, so a file edited or deleted by hand shows as drift and the next up repairs it.
/// Nothing is read, written or deleted through a symbolic link that leads out of the root, and the root itself must
/// really lie within <paramref name="boundary"/> (the project directory) when one is given.
/// </summary>
public sealed class RenderProvider(string root, string? boundary = null) : IResourceProvider
{
    public const string FileType = ResourceTypes.File;

    public string Root { get; } = Path.GetFullPath(root);

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var failures = new List<CheckFailure>();
        if (request.Type != FileType) failures.Add(new CheckFailure("type", $"the render provider manages only {FileType}"));
        var path = request.News.GetString("path");
        if (path is null) failures.Add(new CheckFailure("path", "is required"));
        else if (Path.IsPathRooted(path) || path.Split('/', '\\').Any(p => p is ".." or "") )
            failures.Add(new CheckFailure("path", $"'{path}' must be a relative path without '..' or empty segments"));
        var content = request.News.Get("content");
        if (content is null || (content.AsString is null && !content.ContainsUnknowns))
            failures.Add(new CheckFailure("content", "is required and must be a string"));
        if (request.News.GetString("mode") is { } mode && ParseMode(mode) is null)
            failures.Add(new CheckFailure("mode", $"'{mode}' is not an octal file mode such as 0644"));
        return Task.FromResult(new CheckResult(request.News, failures));
    }

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        if (request.OldOutputs.GetString("root") is { } oldRoot && oldRoot != Root)
            return Task.FromResult(new DiffResult(true, ["root"], ["root"], Notes: [$"moves from {oldRoot} to {Root}"]));
        var diff = DiffResult.ByInputs(request.OldInputs, request.NewInputs, "path");
        if (diff.Changes) return Task.FromResult(diff);
        // Same inputs: the file may still have been changed or removed by hand (refresh may have recorded that,
        // so compare the disk with the wanted content, not with the recorded hash).
        var full = FullPath(request.Id);
        var actual = Hash(full);
        if (actual == HashOf(request.NewInputs)) return Task.FromResult(AccessDrift(full, request.NewInputs));
        var note = actual is null ? "the file was deleted outside this program" : "the file was changed outside this program";
        return Task.FromResult(new DiffResult(true, ["content"], [], Notes: [note]));
    }

    /// <summary>
    /// A file with the wanted content may still have been opened up (chmod 644 on a key) or handed to another user:
    /// its mode and owner are part of what it must be, and rewriting it repairs both.
    /// </summary>
    private static DiffResult AccessDrift(string full, PropertyMap inputs)
    {
        var keys = new List<string>();
        var notes = new List<string>();
        var want = WantedMode(inputs);
        var mode = File.GetUnixFileMode(full);
        if (mode != want)
        {
            keys.Add("mode");
            notes.Add($"the file's mode was changed outside this program to {Octal(mode)}; it must be {Octal(want)}");
        }
        if (FileOwner.Of(full) is { } owner && owner != FileOwner.Self)
        {
            keys.Add("owner");
            notes.Add($"the file is owned by uid {owner}, not by the user this program runs as (uid {FileOwner.Self})");
        }
        return keys.Count == 0 ? DiffResult.None : new DiffResult(true, keys, [], Notes: notes);
    }

    private static UnixFileMode WantedMode(PropertyMap inputs) =>
        inputs.Get("content") is { ContainsSecrets: true } ? UnixFileMode.UserRead | UnixFileMode.UserWrite : ParseMode(inputs.GetString("mode") ?? "0644")!.Value;

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8);

    public Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken)
    {
        var path = request.Inputs.GetString("path")!;
        return Task.FromResult(new CreateResult(path, Write(path, request.Inputs)));
    }

    public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        var full = FullPath(request.Id);
        var hash = Hash(full);
        if (hash is null) return Task.FromResult<ReadResult?>(null);
        var secret = request.Inputs.Get("content") is SecretValue;
        return Task.FromResult<ReadResult?>(new ReadResult(request.Id, Outputs(request.Id, hash, new FileInfo(full).Length, secret, full)));
    }

    /// <summary>A file's id is its path, which the inputs hold: an interrupted create left the file, or did not.</summary>
    public async Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken)
    {
        if (request.Inputs.GetString("path") is not { } path) return FindResult.Unknown;
        var read = await ReadAsync(new ReadRequest(request.Urn, request.Type, path, request.Inputs, PropertyMap.Empty), cancellationToken);
        return read is null ? FindResult.Absent : FindResult.Found(read.Id, read.Outputs);
    }

    public Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new UpdateResult(Write(request.Id, request.NewInputs)));

    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken)
    {
        var root = request.Outputs.GetString("root") ?? Root;
        var full = Path.GetFullPath(Path.Combine(root, request.Id));
        EnsureConfined(full, root);
        try
        {
            File.Delete(full); // no error if the file is already gone
            File.Delete(PartialPath(full)); // what a write cut off by a kill left behind
        }
        catch (DirectoryNotFoundException)
        {
            // its folder is gone too: nothing left to delete
        }
        // Remove the folders this provider made, up to and including its root, while they are empty. Deletes run
        // in parallel, so another may empty, fill or remove a folder meanwhile: whoever leaves it empty removes it.
        for (var dir = Path.GetDirectoryName(full); dir is not null && IsWithin(dir, root); dir = Path.GetDirectoryName(dir))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(dir).Any()) break;
                Directory.Delete(dir);
            }
            catch (DirectoryNotFoundException)
            {
            }
            catch (IOException)
            {
                break; // not empty any more
            }
        }
        return Task.CompletedTask;
    }

    private PropertyMap Write(string path, PropertyMap inputs)
    {
        var contentValue = inputs["content"];
        var secret = contentValue.ContainsSecrets;
        var bytes = Encoding.UTF8.GetBytes(contentValue.AsString!);
        var mode = WantedMode(inputs);
        var full = FullPath(path);
        EnsureConfined(full, Root);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        // Write beside the target and rename, so a reader never sees half a file. The partial file has one fixed
        // name per target, so a write cut off by a kill leaves nothing the next write or delete does not remove.
        // It is created anew with its mode, so secret material is never readable by others, not even briefly.
        var temp = PartialPath(full);
        File.Delete(temp);
        using (var file = new FileStream(temp, new FileStreamOptions
               {
                   Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode,
               }))
        {
            file.Write(bytes);
        }
        File.SetUnixFileMode(temp, mode); // the create mode is subject to the umask
        File.Move(temp, full, overwrite: true);
        return Outputs(path, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, secret, full);
    }

    private static string? HashOf(PropertyMap inputs) =>
        inputs.Get("content")?.AsString is { } content ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content))) : null;

    /// <summary>What the state records of a file, as it is on disk: content hash, size, mode and owner.</summary>
    private PropertyMap Outputs(string path, string sha256, long length, bool secret, string full) => PropertyMap.Of(
        ("root", Root),
        ("path", path),
        ("sha256", secret ? PropertyValue.Secret(sha256) : sha256),
        ("bytes", length),
        ("mode", new FileInfo(full).LinkTarget is null ? Octal(File.GetUnixFileMode(full)) : "symlink"),
        ("owner", (long)(FileOwner.Of(full) ?? uint.MaxValue)));

    /// <summary>Where a write of <paramref name="full"/> puts its bytes before the rename: a hidden sibling.</summary>
    internal static string PartialPath(string full) =>
        Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".partial");

    private string FullPath(string relative) => Path.GetFullPath(Path.Combine(Root, relative));

    /// <summary>
    /// Refuses a file whose folder really lies outside <paramref name="root"/> (a symlinked folder on the way), or a
    /// root that really lies outside the boundary. A file that is itself a link is never followed: a write renames a
    /// new file over the link, a delete removes the link, and a read sees drift (<see cref="Hash"/>).
    /// </summary>
    private void EnsureConfined(string full, string root)
    {
        if (ConfinementProblem(full, root) is { } problem) throw new IOException(problem + "; refusing to write or delete there (remove the link)");
    }

    private string? ConfinementProblem(string full, string root)
    {
        var realRoot = RealPath.Of(root);
        if (boundary is not null && !RealPath.IsWithin(realRoot, RealPath.Of(boundary)))
            return $"the render directory {root} leads to {realRoot}, outside the project directory {boundary}";
        var realFolder = RealPath.Of(Path.GetDirectoryName(full)!);
        return RealPath.IsWithin(realFolder, realRoot) ? null
            : $"{Path.GetDirectoryName(full)} leads to {realFolder} through a symbolic link, outside the render directory {root}";
    }

    /// <summary>The file's SHA-256, null if it is missing; a link or a file reached through a link out of the root is not read.</summary>
    private string? Hash(string fullPath)
    {
        if (new FileInfo(fullPath).LinkTarget is { } target) return "symlink:" + target; // never followed; shows as drift
        if (ConfinementProblem(fullPath, Root) is not null) return "outside"; // shows as drift; up then refuses to write
        try
        {
            using var file = File.OpenRead(fullPath);
            return Convert.ToHexStringLower(SHA256.HashData(file));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static bool IsWithin(string dir, string root)
    {
        var d = Path.GetFullPath(dir).TrimEnd('/');
        var r = Path.GetFullPath(root).TrimEnd('/');
        return d == r || d.StartsWith(r + "/", StringComparison.Ordinal);
    }

    private static UnixFileMode? ParseMode(string text)
    {
        try
        {
            var value = Convert.ToInt32(text, 8);
            return value is >= 0 and <= 0x1FF ? (UnixFileMode)value : null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }
}
