using System.Text.Json.Nodes;

namespace ScyllaApocryph.Tests.Doubles.Kubernetes;

/// <summary>
/// Defaults and admission the API server adds when an object is created (k8s.io/kubernetes pkg/apis/*/v1/defaults.go
/// at v1.31; the namespace finalizer from the namespace lifecycle, https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/;
/// the PVC protection finalizer, https://kubernetes.io/docs/concepts/storage/persistent-volumes/#storage-object-in-use-protection).
/// None of them is owned by the manager that created the object.
/// </summary>
internal static class Defaults
{
    private static int _clusterIp;

    public static void Apply(KubernetesApiDouble api, ApiResource resource, JsonObject o)
    {
        var spec = o["spec"] as JsonObject;
        switch (resource.Kind)
        {
            case "Namespace":
                o["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
                o["status"] = new JsonObject { ["phase"] = "Active" };
                break;
            case "PersistentVolumeClaim":
                KubernetesApiDouble.Meta(o)["finalizers"] = new JsonArray("kubernetes.io/pvc-protection");
                if (spec is not null && spec["storageClassName"] is null) spec["storageClassName"] = api.DefaultStorageClass;
                o["status"] = new JsonObject { ["phase"] = "Pending" };
                break;
            case "Service" when spec is not null:
                spec["type"] ??= "ClusterIP";
                spec["clusterIP"] ??= $"10.96.0.{Interlocked.Increment(ref _clusterIp) % 250 + 2}";
                foreach (var port in spec["ports"] as JsonArray ?? [])
                {
                    port!["protocol"] ??= "TCP";
                    port["targetPort"] ??= port["port"]!.DeepClone();
                }
                break;
            case "StatefulSet" when spec is not null:
                spec["replicas"] ??= 1;
                spec["podManagementPolicy"] ??= "OrderedReady";
                spec["revisionHistoryLimit"] ??= 10;
                spec["updateStrategy"] ??= new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["partition"] = 0 } };
                spec["persistentVolumeClaimRetentionPolicy"] ??= new JsonObject { ["whenDeleted"] = "Retain", ["whenScaled"] = "Retain" };
                break;
        }
    }
}
