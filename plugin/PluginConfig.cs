using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Render;

namespace ScyllaApocryph.Plugin;

/// <summary>
/// A provider instance's configuration: which hosting provider it stands for. The program registers one explicit
/// provider per hosting provider (see infra/PulumiEngine/PulumiProviderConfig.cs); the default provider has none.
/// </summary>
public static class PluginConfig
{
    public static readonly IReadOnlyList<PropertySpec> Keys =
    [
        new("kind", "string", "render, kubernetes or membership; unset for the PKI, password and autoscaler resources"),
        new("directory", "string", "kind render: the directory files are written under"),
        new("projectDirectory", "string", "kind render: the project directory, which the render directory must really lie within " +
                                          "(default $PULUMI_ROOT_DIRECTORY, else the plugin's working directory)"),
        new("context", "string", "kind kubernetes: the kubeconfig context"),
        new("kubeconfig", "string", "kind kubernetes: the kubeconfig path (default $KUBECONFIG or ~/.kube/config)"),
        new("hooks", "string", "kind membership: the autoscaler hooks URL"),
        new("stateDirectory", "string", "kind membership: where the reconciler keeps its lease and intent journal"),
    ];

    /// <summary>
    /// The project's own stack settings share the namespace "scylla-apocryph:" with this package, so Pulumi hands them
    /// to the default provider too; they configure the program, not the provider, and are ignored here.
    /// </summary>
    private static readonly string[] ProgramKeys = ["cluster", "providers", "compose", "version"];

    public static IReadOnlyList<CheckFailure> Check(PropertyMap config)
    {
        var failures = new List<CheckFailure>();
        foreach (var key in config.Keys.Where(k => Keys.All(s => s.Name != k) && !ProgramKeys.Contains(k)))
            failures.Add(new CheckFailure(key, $"unknown key (known: {string.Join(", ", Keys.Select(k => k.Name))})"));
        foreach (var key in Keys.Select(k => k.Name).Where(k => config.Get(k) is { } v && !v.ContainsUnknowns && v.AsString is null))
            failures.Add(new CheckFailure(key, "must be a string"));
        string? Need(string key, string kind)
        {
            var value = config.GetString(key);
            if (string.IsNullOrEmpty(value) && config.Get(key)?.ContainsUnknowns != true) failures.Add(new CheckFailure(key, $"is required for kind {kind}"));
            return value;
        }
        switch (config.GetString("kind"))
        {
            case null:
                break;
            case "render":
                if (Need("directory", "render") is { Length: > 0 } directory && OutsideProject(directory, ProjectDirectory(config)) is { } outside)
                    failures.Add(new CheckFailure("directory", outside));
                break;
            case "kubernetes":
                Need("context", "kubernetes");
                break;
            case "membership":
                if (Need("hooks", "membership") is { } hooks && !Uri.TryCreate(hooks, UriKind.Absolute, out _))
                    failures.Add(new CheckFailure("hooks", "must be an absolute URL"));
                Need("stateDirectory", "membership");
                break;
            case var other:
                failures.Add(new CheckFailure("kind", $"'{other}' is not one of render, kubernetes, membership"));
                break;
        }
        return failures;
    }

    /// <summary>
    /// The directory a render instance's files must stay within, as the built-in engine confines them to the project:
    /// the configured one, else the project root Pulumi names to its plugins (PULUMI_ROOT_DIRECTORY, which Pulumi's
    /// plugin host sets from the program's root directory), else where the plugin was started.
    /// </summary>
    public static string ProjectDirectory(PropertyMap config) =>
        Path.GetFullPath(config.GetString("projectDirectory") is { Length: > 0 } configured ? configured
            : Environment.GetEnvironmentVariable("PULUMI_ROOT_DIRECTORY") is { Length: > 0 } root ? root
            : Environment.CurrentDirectory);

    // Check time: the directory, with every symbolic link on its way followed, must lie within the project.
    private static string? OutsideProject(string directory, string project)
    {
        var real = RealPath.Of(directory);
        var realProject = RealPath.Of(project);
        return RealPath.IsWithin(real, realProject) ? null
            : $"'{directory}' leads to {real}, outside the project directory {realProject}; render directories must lie within the project";
    }

    /// <summary>Changing these points the instance at other resources: its resources must be replaced.</summary>
    public static readonly IReadOnlyList<string> Replacing = ["kind", "directory", "context", "kubeconfig"];
}
