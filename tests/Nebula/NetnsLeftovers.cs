using System.Globalization;
using System.Text.RegularExpressions;

namespace ScyllaApocryph.Tests.Nebula;

/// <summary>
/// What each lab created, recorded so that a later run can remove what a killed run left behind. A lab writes a
/// marker named after its id: the first line names its owner (process id and that process's start time, so a
/// reused process id does not pass for the owner), then one line per namespace, written before the namespace is
/// added. A later lab removes the namespaces of markers whose owner is gone, and only names of that lab's own id.
/// </summary>
public static partial class NetnsLeftovers
{
    /// <summary>On tmpfs: markers vanish on reboot, like the namespaces they describe.</summary>
    public const string DefaultDirectory = "/run/scylla-apocryph-netns";

    /// <summary>At most this many markers are looked at per lab, so a cluttered directory cannot stall a test run.</summary>
    public const int MaxMarkers = 64;

    [GeneratedRegex("^[0-9a-f]{6}$")]
    private static partial Regex LabId();

    [GeneratedRegex("^sap[0-9a-f]{6}(sw|h[0-9]{1,3})$")]
    private static partial Regex NamespaceName();

    public sealed record Leftover(string Marker, string Id, IReadOnlyList<string> Namespaces);

    /// <summary>This process as a marker's owner line.</summary>
    public static string Owner() => $"{Environment.ProcessId} {StartTime(Environment.ProcessId)}";

    /// <summary>Starts the marker of lab <paramref name="id"/> and returns its path.</summary>
    public static string Begin(string directory, string id)
    {
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var marker = Path.Combine(directory, id);
        File.WriteAllText(marker, Owner() + "\n");
        return marker;
    }

    /// <summary>Records a namespace before it is created, so a kill right after creating it still leaves a record.</summary>
    public static void Record(string marker, string ns) => File.AppendAllText(marker, ns + "\n");

    /// <summary>True while the process an owner line names still runs (same id and same start time).</summary>
    public static bool IsAlive(string owner)
    {
        var parts = owner.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return false;
        return StartTime(pid) is { } start && start == parts[1];
    }

    /// <summary>The markers of dead owners, with the namespaces each recorded; reads the directory, changes nothing.</summary>
    public static IReadOnlyList<Leftover> Find(string directory, Func<string, bool> isAlive)
    {
        if (!Directory.Exists(directory)) return [];
        var result = new List<Leftover>();
        foreach (var marker in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal).Take(MaxMarkers))
        {
            var id = Path.GetFileName(marker);
            if (!LabId().IsMatch(id)) continue;
            string[] lines;
            try
            {
                lines = File.ReadAllLines(marker);
            }
            catch (IOException)
            {
                continue;
            }
            // An empty marker is one being written right now: its owner is alive.
            if (lines.Length == 0 || isAlive(lines[0])) continue;
            var namespaces = lines.Skip(1).Where(n => NamespaceName().IsMatch(n) && n.StartsWith("sap" + id, StringComparison.Ordinal)).Distinct().ToList();
            result.Add(new Leftover(marker, id, namespaces));
        }
        return result;
    }

    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks since boot); null when there is no such process.</summary>
    private static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields[19] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
