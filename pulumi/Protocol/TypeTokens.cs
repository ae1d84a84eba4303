namespace ScyllaApocryph.Pulumi.Protocol;

/// <summary>
/// A Pulumi plugin serves one package, so the engine's type tokens (<c>render:index:File</c>,
/// <c>tls:index:Certificate</c>, <c>kubernetes:apps/v1:StatefulSet</c>, ...) are carried into package
/// <c>scylla-apocryph</c>: the old package becomes the first segment of the module, and a module other than
/// <c>index</c> follows it after a slash.
/// <list type="bullet">
/// <item><c>render:index:File</c> ↔ <c>scylla-apocryph:render:File</c></item>
/// <item><c>kubernetes:apps/v1:StatefulSet</c> ↔ <c>scylla-apocryph:kubernetes/apps/v1:StatefulSet</c></item>
/// </list>
/// The mapping is one-to-one because no engine package name contains a slash.
/// </summary>
public static class TypeTokens
{
    public const string Package = "scylla-apocryph";

    /// <summary>Pulumi's token for provider resources of this package (upstream: pulumi:providers:&lt;package&gt;).</summary>
    public const string ProviderType = "pulumi:providers:" + Package;

    public static string ToPulumi(string engineType)
    {
        var parts = engineType.Split(':');
        if (parts.Length != 3 || parts.Any(string.IsNullOrEmpty) || parts[0].Contains('/'))
            throw new ArgumentException($"type token '{engineType}' must have the form package:module:Type");
        var module = parts[1] == "index" ? parts[0] : parts[0] + "/" + parts[1];
        return $"{Package}:{module}:{parts[2]}";
    }

    public static string ToEngine(string pulumiType)
    {
        var parts = pulumiType.Split(':');
        if (parts.Length != 3 || parts[0] != Package || parts[1].Length == 0 || parts[2].Length == 0)
            throw new ArgumentException($"type token '{pulumiType}' is not of package {Package} (expected {Package}:<module>:<Type>)");
        var slash = parts[1].IndexOf('/');
        return slash < 0 ? $"{parts[1]}:index:{parts[2]}" : $"{parts[1][..slash]}:{parts[1][(slash + 1)..]}:{parts[2]}";
    }
}
