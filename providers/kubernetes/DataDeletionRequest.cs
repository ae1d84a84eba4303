using ScyllaApocryph.Engine.Resources;

namespace ScyllaApocryph.Providers.Kubernetes;

/// <summary>
/// The Pulumi engine's form of <c>destroy --delete-data</c>. <c>pulumi destroy</c> runs no program and passes no
/// flag to providers, so the request comes through the plugin's environment: the variable must name the stack being
/// destroyed, as the CLI's confirmation asks the stack name to be typed. Any other value deletes nothing, so a
/// variable left exported from one stack cannot delete another stack's data.
/// </summary>
public static class DataDeletionRequest
{
    public const string Variable = "SCYLLA_APOCRYPH_DELETE_DATA";

    public static Func<Urn, bool> FromEnvironment(Func<string, string?> environment) =>
        urn => environment(Variable) is { Length: > 0 } stack && stack == urn.Stack;
}
