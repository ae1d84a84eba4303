using k8s.Models;

namespace ScyllaApocryph.Tests.Doubles.Kubernetes;

/// <summary>
/// One resource type the double serves, as API discovery describes it: URL prefix (/api/v1 or
/// /apis/&lt;group&gt;/&lt;version&gt;), plural, kind, whether it lives in a namespace, the KubernetesClient model
/// objects of the kind are checked against, and whether it has a status subresource. With one, status sent to
/// the main resource is ignored and metadata.generation counts spec changes (the status subresource rules,
/// https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#status-subresource,
/// which the built-in workload kinds follow too).
/// </summary>
public sealed record ApiResource(string Prefix, string Plural, string Kind, bool Namespaced, Type Model, bool HasStatus)
{
    public static readonly IReadOnlyList<ApiResource> All =
    [
        new("/api/v1", "namespaces", "Namespace", false, typeof(V1Namespace), true),
        new("/api/v1", "services", "Service", true, typeof(V1Service), true),
        new("/api/v1", "configmaps", "ConfigMap", true, typeof(V1ConfigMap), false),
        new("/api/v1", "secrets", "Secret", true, typeof(V1Secret), false),
        new("/api/v1", "pods", "Pod", true, typeof(V1Pod), true),
        new("/api/v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, typeof(V1PersistentVolumeClaim), true),
        new("/api/v1", "endpoints", "Endpoints", true, typeof(V1Endpoints), false),
        new("/api/v1", "events", "Event", true, typeof(Corev1Event), false),
        new("/apis/apps/v1", "statefulsets", "StatefulSet", true, typeof(V1StatefulSet), true),
        new("/apis/apps/v1", "daemonsets", "DaemonSet", true, typeof(V1DaemonSet), true),
        // Served by every API server (API reference, "Deployment v1 apps"); this project sends none, but the
        // namespace check at destroy lists them. No Deployment controller runs here.
        new("/apis/apps/v1", "deployments", "Deployment", true, typeof(V1Deployment), true),
        new("/apis/policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", true, typeof(V1PodDisruptionBudget), true),
    ];

    public string ApiVersion => Prefix == "/api/v1" ? "v1" : Prefix["/apis/".Length..];

    public static ApiResource OfKind(string kind) => All.Single(r => r.Kind == kind);

    /// <summary>Generation counts changes of everything but metadata and status on kinds with a status subresource.</summary>
    public bool CountsGeneration => HasStatus && Kind is not "Namespace" and not "Pod" and not "PersistentVolumeClaim" and not "Service";
}

/// <summary>The key of a stored object.</summary>
public readonly record struct ObjectKey(string Kind, string? Namespace, string Name)
{
    public override string ToString() => Namespace is null ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";
}
