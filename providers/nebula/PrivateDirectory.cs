namespace ScyllaApocryph.Providers.Nebula;

/// <summary>A temporary directory with mode 0700 whose files are 0600; deleted (with its keys) on dispose.</summary>
internal sealed class PrivateDirectory : IDisposable
{
    private const UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private PrivateDirectory(string path) => Path = path;

    public string Path { get; }

    public static PrivateDirectory Create()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sa-pki-" + Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, DirMode);
        return new PrivateDirectory(path);
    }

    public void Write(string name, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FilePermissions;
        using var stream = new FileStream(System.IO.Path.Combine(Path, name), options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }

    public string Read(string name) => File.ReadAllText(System.IO.Path.Combine(Path, name));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the directory is private to this user either way.
        }
    }
}
