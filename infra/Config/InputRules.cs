using System.Text.RegularExpressions;

namespace ScyllaApocryph.Infra.Config;

/// <summary>
/// The shapes that names and values from a stack file or the command line must have before they reach a file,
/// a CQL script, a properties file or a Kubernetes object. Each one keeps a character that means something there
/// (a newline in a properties file, a quote in CQL, a path separator in a file name) from getting through.
/// </summary>
public static partial class InputRules
{
    public const int MaxPort = 65535;

    /// <summary>
    /// A keyspace name as CQL accepts it unquoted: a letter, then letters, digits or '_', at most 48 characters
    /// (ScyllaDB manual 2025.1, cql/ddl "Common Definitions" and reference/limits: keyspace name length 48).
    /// </summary>
    public static bool IsKeyspaceName(string name) => KeyspaceName().IsMatch(name);

    /// <summary>
    /// A role name for the superuser: the same shape as a keyspace name, so it needs no quoting in CQL or YAML.
    /// </summary>
    public static bool IsRoleName(string name) => KeyspaceName().IsMatch(name);

    /// <summary>A DNS label (RFC 1123, at most 63 characters): what racks and datacenters become in labels and files.</summary>
    public static bool IsDnsLabel(string name) => DnsLabel().IsMatch(name);

    /// <summary>
    /// A container image reference: no whitespace or control characters, only the characters of the OCI
    /// distribution spec's reference grammar (name components, ':' tag, '@' digest).
    /// </summary>
    public static bool IsImageReference(string image) => ImageReference().IsMatch(image);

    /// <summary>Text with no control characters (newlines, tabs, escapes): safe to write into a one-line setting.</summary>
    public static bool IsOneLine(string text) => text.Length > 0 && !text.Any(char.IsControl);

    /// <summary>A host name or an IP address.</summary>
    public static bool IsHost(string host) =>
        System.Net.IPAddress.TryParse(host, out _) || (host.Length <= 253 && HostName().IsMatch(host));

    /// <summary>
    /// Why a <c>--stack</c> name cannot be used, or null: it names <c>Pulumi.&lt;stack&gt;.yaml</c> and the folder
    /// <c>.state/&lt;stack&gt;</c>, so it may hold no path separator and may not be '.', '..' or hidden.
    /// </summary>
    public static string? StackNameProblem(string stack)
    {
        if (stack.Length == 0) return "is empty";
        if (stack.Length > 100) return "is longer than 100 characters";
        if (!StackName().IsMatch(stack)) return "may hold only letters, digits, '-', '_' and '.' (no path separators or spaces)";
        if (stack.StartsWith('.')) return "may not start with '.' (it names the folder .state/<stack>; '.' and '..' would leave it)";
        return null;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,47}$")]
    private static partial Regex KeyspaceName();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,254}$")]
    private static partial Regex ImageReference();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex HostName();

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex StackName();
}
