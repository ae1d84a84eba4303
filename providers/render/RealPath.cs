namespace ScyllaApocryph.Providers.Render;

/// <summary>
/// Where a path really leads once every symbolic link on the way is followed (like realpath(3), but a missing tail
/// is kept as written), and whether one path lies within another. Writes are confined by real paths, so a symlinked
/// folder cannot carry them out of the directory they belong to.
/// </summary>
public static class RealPath
{
    private const int MaxLinks = 40; // Linux's MAXSYMLINKS: a longer chain is a loop

    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var resolved = root;
        var pending = new Queue<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        var links = 0;
        while (pending.Count > 0)
        {
            var next = Path.Combine(resolved, pending.Dequeue());
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++links > MaxLinks) throw new IOException($"too many symbolic links under {path}");
                var linked = Path.GetFullPath(target, resolved);
                var rest = pending.ToArray();
                pending = new Queue<string>(linked[Path.GetPathRoot(linked)!.Length..]
                    .Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                resolved = Path.GetPathRoot(linked)!;
                continue;
            }
            resolved = next;
        }
        return resolved;
    }

    /// <summary>True if <paramref name="path"/> is <paramref name="root"/> or below it (both taken as written).</summary>
    public static bool IsWithin(string path, string root)
    {
        var p = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var r = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        return p == r || p.StartsWith(r + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>True if either of the two paths is the other or lies below it.</summary>
    public static bool Overlap(string a, string b) => IsWithin(a, b) || IsWithin(b, a);
}
