using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace ScyllaApocryph.Components.Kubernetes;

/// <summary>
/// Kubernetes objects as the client's JSON (<see cref="KubernetesJson.Serialize"/>: the same options, converters and
/// bytes), from metadata generated at build time for only the kinds this program renders. The client's own
/// resolver looks a type up among its more than a thousand models on first use, which cost 70–100 ms of every
/// start-up that renders a manifest; a kind not listed here falls back to it.
/// </summary>
public static class ManifestJson
{
    public static string Serialize(IKubernetesObject value) =>
        ManifestJsonContext.Default.GetTypeInfo(value.GetType()) is { } info
            ? JsonSerializer.Serialize(value, info)
            : KubernetesJson.Serialize(value);
}

// The options of KubernetesJson's static constructor and of the client's own SourceGenerationContext
// (kubernetes-client/csharp src/KubernetesClient/KubernetesJson.cs, SourceGenerationContext.cs).
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    Converters =
    [
        typeof(KubernetesJson.Iso8601TimeSpanConverter), typeof(KubernetesJson.KubernetesDateTimeConverter),
        typeof(KubernetesJson.KubernetesDateTimeOffsetConverter),
    ])]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1PodDisruptionBudget))]
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1StatefulSet))]
[JsonSerializable(typeof(V1DaemonSet))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
