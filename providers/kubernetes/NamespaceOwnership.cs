using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ScyllaApocryph.Providers.Kubernetes;

/// <summary>
/// What destroy may do to a namespace. Deleting a namespace deletes everything in it, PersistentVolumeClaims included
/// (Kubernetes namespace deletion: "deleting a namespace deletes everything under it"), so the stack deletes only a
/// namespace it created itself, and only once nothing is left in it but what Kubernetes puts in every namespace and
/// this stack's own pods on their way out. Volume claims stay, and with them the namespace, unless the user asked
/// for the data to be deleted (<c>destroy --delete-data</c>); then the stack's claims go first.
/// </summary>
internal static class NamespaceOwnership
{
    public const string CreatedByStack = "createdByStack";
    private const string ManagedBy = "app.kubernetes.io/managed-by";

    /// <summary>True if the namespace exists already, before the stack applies it.</summary>
    public static async Task<bool> ExistsAsync(IKubernetes k, string name, CancellationToken ct)
    {
        try
        {
            await k.CoreV1.ReadNamespaceAsync(name, cancellationToken: ct);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Deletes the namespace if the stack created it and nothing it does not own (or no kept data) is left.</summary>
    /// <returns>Why it was kept, or null if it was deleted (or was already gone).</returns>
    public static async Task<string?> DeleteAsync(IKubernetes k, string name, bool createdByStack, bool deleteData, CancellationToken ct)
    {
        if (!createdByStack) return $"namespace {name} kept: it existed before this stack applied it";
        try
        {
            if (deleteData)
                foreach (var claim in (await k.CoreV1.ListNamespacedPersistentVolumeClaimAsync(name, labelSelector: $"{ManagedBy}={KubernetesProvider.FieldManager}", cancellationToken: ct)).Items)
                    await k.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(claim.Metadata.Name, name, cancellationToken: ct);
            var left = await Remaining(k, name, ct);
            if (left.Count > 0) return $"namespace {name} kept: it still holds {string.Join(", ", left.Take(5))}{(left.Count > 5 ? ", …" : "")}";
            await k.CoreV1.DeleteNamespaceAsync(name, cancellationToken: ct);
            return null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null; // already gone
        }
    }

    /// <summary>
    /// What is left in the namespace that would go with it: every volume claim (the data), and every other object
    /// but the ones Kubernetes makes in each namespace (the kube-root-ca.crt ConfigMap, service account token
    /// Secrets) and this stack's pods, which their deleted StatefulSets are removing.
    /// </summary>
    private static async Task<List<string>> Remaining(IKubernetes k, string ns, CancellationToken ct)
    {
        var left = new List<string>();
        left.AddRange((await k.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, cancellationToken: ct)).Items.Select(o => "PersistentVolumeClaim " + o.Metadata.Name));
        left.AddRange((await k.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: ct)).Items.Where(o => !Ours(o.Metadata)).Select(o => "Pod " + o.Metadata.Name));
        left.AddRange((await k.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: ct)).Items.Select(o => "Service " + o.Metadata.Name));
        left.AddRange((await k.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: ct)).Items
            .Where(o => o.Metadata.Name != "kube-root-ca.crt").Select(o => "ConfigMap " + o.Metadata.Name));
        left.AddRange((await k.CoreV1.ListNamespacedSecretAsync(ns, cancellationToken: ct)).Items
            .Where(o => o.Type != "kubernetes.io/service-account-token").Select(o => "Secret " + o.Metadata.Name));
        left.AddRange((await k.AppsV1.ListNamespacedStatefulSetAsync(ns, cancellationToken: ct)).Items.Select(o => "StatefulSet " + o.Metadata.Name));
        left.AddRange((await k.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: ct)).Items.Select(o => "Deployment " + o.Metadata.Name));
        left.AddRange((await k.AppsV1.ListNamespacedDaemonSetAsync(ns, cancellationToken: ct)).Items.Select(o => "DaemonSet " + o.Metadata.Name));
        left.AddRange((await k.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(ns, cancellationToken: ct)).Items.Select(o => "PodDisruptionBudget " + o.Metadata.Name));
        return left;
    }

    private static bool Ours(V1ObjectMeta meta) => meta.Labels is { } labels && labels.TryGetValue(ManagedBy, out var by) && by == KubernetesProvider.FieldManager;
}
