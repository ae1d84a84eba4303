using System.Text.RegularExpressions;
using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Components.Kubernetes;

/// <summary>Checks the values of a kubernetes provider's await and placement settings (the loader checks the keys).</summary>
public static partial class KubernetesProviderRules
{
    public static IEnumerable<string> Check(StackSpec stack, string ns)
    {
        foreach (var provider in stack.Providers.Where(p => p.Kind == ProviderKind.Kubernetes))
        {
            var key = $"{ns}:providers.{provider.Name}";
            if (provider.Setting("awaitTimeout") is { } timeout && !PkiSpec.TryParseDuration(timeout, out _))
                yield return $"{key}.awaitTimeout: '{timeout}' is not a duration; write a whole number with s, m, h or d, e.g. 20m";
            foreach (var flag in new[] { "skipAwait", "nodeSetup" })
                if (provider.Setting(flag) is { } value && value is not ("true" or "false"))
                    yield return $"{key}.{flag}: must be true or false, got '{value}'";
            if (provider.Setting("priorityClass") is { } priority && !DnsSubdomain().IsMatch(priority))
                yield return $"{key}.priorityClass: '{priority}' is not a valid PriorityClass name (a lowercase DNS subdomain)";
        }
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex DnsSubdomain();
}
