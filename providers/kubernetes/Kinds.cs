using k8s;
using k8s.Models;

namespace ScyllaApocryph.Providers.Kubernetes;

/// <summary>The kinds the cluster component deploys, each with its typed apply / read / delete calls.</summary>
internal static class Kinds
{
    public sealed record Operations(
        Func<IKubernetes, V1Patch, string, string?, bool, CancellationToken, Task<IMetadata<V1ObjectMeta>>> Apply,
        Func<IKubernetes, string, string?, CancellationToken, Task<IMetadata<V1ObjectMeta>>> Read,
        Func<IKubernetes, string, string?, CancellationToken, Task> Delete);

    private const string Manager = KubernetesProvider.FieldManager;

    public static readonly IReadOnlyDictionary<string, Operations> Supported = new Dictionary<string, Operations>
    {
        ["Namespace"] = new(
            async (k, p, n, _, f, ct) => await k.CoreV1.PatchNamespaceAsync(p, n, fieldManager: Manager, force: f, cancellationToken: ct),
            async (k, n, _, ct) => await k.CoreV1.ReadNamespaceAsync(n, cancellationToken: ct),
            (k, n, _, ct) => k.CoreV1.DeleteNamespaceAsync(n, cancellationToken: ct)),
        ["Service"] = new(
            async (k, p, n, ns, f, ct) => await k.CoreV1.PatchNamespacedServiceAsync(p, n, ns, fieldManager: Manager, force: f, cancellationToken: ct),
            async (k, n, ns, ct) => await k.CoreV1.ReadNamespacedServiceAsync(n, ns, cancellationToken: ct),
            (k, n, ns, ct) => k.CoreV1.DeleteNamespacedServiceAsync(n, ns, cancellationToken: ct)),
        ["ConfigMap"] = new(
            async (k, p, n, ns, f, ct) => await k.CoreV1.PatchNamespacedConfigMapAsync(p, n, ns, fieldManager: Manager, force: f, cancellationToken: ct),
            async (k, n, ns, ct) => await k.CoreV1.ReadNamespacedConfigMapAsync(n, ns, cancellationToken: ct),
            (k, n, ns, ct) => k.CoreV1.DeleteNamespacedConfigMapAsync(n, ns, cancellationToken: ct)),
        ["Secret"] = new(
            async (k, p, n, ns, f, ct) => await k.CoreV1.PatchNamespacedSecretAsync(p, n, ns, fieldManager: Manager, force: f, cancellationToken: ct),
            async (k, n, ns, ct) => await k.CoreV1.ReadNamespacedSecretAsync(n, ns, cancellationToken: ct),
            (k, n, ns, ct) => k.CoreV1.DeleteNamespacedSecretAsync(n, ns, cancellationToken: ct)),
        ["PersistentVolumeClaim"] = new(
            async (k, p, n, ns, f, ct) => await k.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(p, n, ns, fieldManager: Manager, force: f, cancellationToken: ct),
            async (k, n, ns, ct) => await k.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(n, ns, cancellationToken: ct),
            (k, n, ns, ct) => k.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(n, ns, cancellationToken: ct)),
        ["StatefulSet"] = new(
            async (k, p, n, ns, f, ct) => await k.AppsV1.PatchNamespacedStatefulSetAsync(p, n, ns, fieldManager: Manager, force: f, cancellationToken: ct),
            async (k, n, ns, ct) => await k.AppsV1.ReadNamespacedStatefulSetAsync(n, ns, cancellationToken: ct),
            (k, n, ns, ct) => k.AppsV1.DeleteNamespacedStatefulSetAsync(n, ns, cancellationToken: ct)),
        ["DaemonSet"] = new(
            async (k, p, n, ns, f, ct) => await k.AppsV1.PatchNamespacedDaemonSetAsync(p, n, ns, fieldManager: Manager, force: f, cancellationToken: ct),
            async (k, n, ns, ct) => await k.AppsV1.ReadNamespacedDaemonSetAsync(n, ns, cancellationToken: ct),
            (k, n, ns, ct) => k.AppsV1.DeleteNamespacedDaemonSetAsync(n, ns, cancellationToken: ct)),
        ["PodDisruptionBudget"] = new(
            async (k, p, n, ns, f, ct) => await k.PolicyV1.PatchNamespacedPodDisruptionBudgetAsync(p, n, ns, fieldManager: Manager, force: f, cancellationToken: ct),
            async (k, n, ns, ct) => await k.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync(n, ns, cancellationToken: ct),
            (k, n, ns, ct) => k.PolicyV1.DeleteNamespacedPodDisruptionBudgetAsync(n, ns, cancellationToken: ct)),
    };
}
