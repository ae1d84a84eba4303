namespace ScyllaApocryph.Infra.Config;

/// <summary>The stack configuration is invalid. Holds every problem found, each naming its key path.</summary>
public sealed class ConfigException(IReadOnlyList<string> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
