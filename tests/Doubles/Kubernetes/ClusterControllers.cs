using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ScyllaApocryph.Tests.Doubles.Kubernetes;

/// <summary>
/// The controllers of a one-node cluster, run to a fixed point before every request, against the double's clock:
/// <list type="bullet">
/// <item>namespace controller: a terminating namespace's content is deleted, then the namespace
/// (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/);</item>
/// <item>garbage collector: an object whose owners are all gone is deleted (background propagation,
/// https://kubernetes.io/docs/concepts/architecture/garbage-collection/);</item>
/// <item>PVC protection: a claim a pod still uses keeps its finalizer
/// (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#storage-object-in-use-protection);</item>
/// <item>StatefulSet controller: pods name-0..n-1 and claims &lt;template&gt;-&lt;name&gt;-&lt;ordinal&gt;, OrderedReady,
/// rolling update from the highest ordinal, status replicas / readyReplicas / availableReplicas (minReadySeconds) /
/// currentReplicas / updatedReplicas / currentRevision / updateRevision / observedGeneration, and the claim
/// retention policy: claims get the StatefulSet as owner only when whenDeleted is Delete
/// (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/);</item>
/// <item>volume binding: Immediate classes bind a claim at once, WaitForFirstConsumer when a pod using it is
/// scheduled (https://kubernetes.io/docs/concepts/storage/storage-classes/#volume-binding-mode);</item>
/// <item>scheduler and kubelet: as the test's <see cref="PodScript"/> says; pod deletion completes at once;</item>
/// <item>endpoints controller: one Endpoints per Service with a selector; not-ready pods are listed under
/// notReadyAddresses unless publishNotReadyAddresses (https://kubernetes.io/docs/concepts/services-networking/service/).</item>
/// </list>
/// </summary>
internal sealed class ClusterControllers(KubernetesApiDouble api)
{
    private const string ControllerManager = "kube-controller-manager";
    private int _podIp;

    private Dictionary<ObjectKey, JsonObject> Store => api.Store;

    public void Reconcile()
    {
        for (var pass = 0; pass < 50; pass++)
        {
            var before = Fingerprint();
            Namespaces();
            GarbageCollect();
            StatefulSets();
            Claims(); // an Immediate claim is bound before the scheduler looks at the pod that uses it
            Pods();
            Endpoints();
            DaemonSets();
            if (Fingerprint() == before) return;
        }
        throw new InvalidOperationException("the simulated controllers did not settle");
    }

    private string Fingerprint() => string.Join(",", Store.Select(kv => kv.Key + "@" + KubernetesApiDouble.Meta(kv.Value)["resourceVersion"]));

    private static JsonObject Meta(JsonObject o) => KubernetesApiDouble.Meta(o);

    private static string Uid(JsonObject o) => Meta(o)["uid"]!.GetValue<string>();

    private static bool Terminating(JsonObject o) => Meta(o)["deletionTimestamp"] is not null;

    private List<(ObjectKey Key, JsonObject Object)> All(string kind, string? ns = null) =>
        Store.Where(kv => kv.Key.Kind == kind && (ns is null || kv.Key.Namespace == ns)).Select(kv => (kv.Key, kv.Value)).OrderBy(x => x.Key.Name, StringComparer.Ordinal).ToList();

    private void Namespaces()
    {
        foreach (var (key, ns) in All("Namespace").Where(n => Terminating(n.Object)))
        {
            var content = Store.Keys.Where(k => k.Namespace == key.Name).ToList();
            foreach (var k in content.Where(k => Store.TryGetValue(k, out var o) && !Terminating(o))) api.DeleteLocked(k, "Background");
            if (Store.Keys.Any(k => k.Namespace == key.Name)) continue;
            Store.Remove(key); // the "kubernetes" finalizer is removed once the namespace is empty
        }
    }

    private void GarbageCollect()
    {
        var uids = Store.Values.Select(Uid).ToHashSet();
        foreach (var (key, o) in Store.ToList())
        {
            if (Meta(o)["ownerReferences"] is not JsonArray { Count: > 0 } owners || Terminating(o)) continue;
            if (owners.All(r => !uids.Contains(r!["uid"]!.GetValue<string>()))) api.DeleteLocked(key, "Background");
        }
        foreach (var (key, o) in Store.ToList())
        {
            if (!Terminating(o) || key.Kind == "Namespace") continue; // a namespace is the namespace controller's
            var finalizers = Meta(o)["finalizers"] as JsonArray;
            if (key.Kind == "Pod") Store.Remove(key); // the kubelet has stopped the containers
            else if (finalizers is null || finalizers.Count == 0) Store.Remove(key);
        }
    }

    private void Claims()
    {
        foreach (var (key, pvc) in All("PersistentVolumeClaim"))
        {
            var usedBy = All("Pod", key.Namespace).Where(p => ClaimNames(p.Object).Contains(key.Name)).ToList();
            if (Terminating(pvc) && usedBy.Count == 0 && Meta(pvc)["finalizers"] is JsonArray { Count: > 0 })
            {
                var next = (JsonObject)pvc.DeepClone();
                Meta(next).Remove("finalizers");
                api.WriteObject(key, next);
                continue;
            }
            if (pvc["status"]?["phase"]?.GetValue<string>() == "Bound") continue;
            var className = pvc["spec"]?["storageClassName"]?.GetValue<string>() ?? api.DefaultStorageClass;
            var mode = api.StorageClasses.GetValueOrDefault(className);
            var consumerScheduled = usedBy.Any(p => p.Object["spec"]?["nodeName"] is not null);
            if (mode == "Immediate" || (mode == "WaitForFirstConsumer" && consumerScheduled))
                api.WriteStatus(key, new JsonObject
                {
                    ["phase"] = "Bound", ["accessModes"] = pvc["spec"]?["accessModes"]?.DeepClone(),
                    ["capacity"] = pvc["spec"]?["resources"]?["requests"]?.DeepClone(),
                }, ControllerManager);
            else if (mode == "WaitForFirstConsumer")
                Event(key, "PersistentVolumeClaim", "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
            else
                Event(key, "PersistentVolumeClaim", "Warning", "ProvisioningFailed", $"storageclass.storage.k8s.io \"{className}\" not found");
        }
    }

    private static List<string> ClaimNames(JsonObject pod) =>
        (pod["spec"]?["volumes"] as JsonArray ?? []).Select(v => v?["persistentVolumeClaim"]?["claimName"]?.GetValue<string>()).OfType<string>().ToList();

    private void StatefulSets()
    {
        foreach (var (key, set) in All("StatefulSet").Where(s => !Terminating(s.Object)))
        {
            var spec = set["spec"]!;
            var replicas = spec["replicas"]?.GetValue<int>() ?? 1;
            var revision = $"{key.Name}-{Hash(spec["template"]!)}";
            var status = set["status"] as JsonObject;
            var currentRevision = status?["currentRevision"]?.GetValue<string>() ?? revision;
            var whenDeleted = spec["persistentVolumeClaimRetentionPolicy"]?["whenDeleted"]?.GetValue<string>() ?? "Retain";
            var whenScaled = spec["persistentVolumeClaimRetentionPolicy"]?["whenScaled"]?.GetValue<string>() ?? "Retain";
            var minReady = spec["minReadySeconds"]?.GetValue<int>() ?? 0;
            var pods = All("Pod", key.Namespace).Where(p => KubernetesApiDouble.OwnedBy(p.Object, Uid(set))).ToList();

            for (var ordinal = 0; ordinal < replicas; ordinal++)
            {
                var podName = $"{key.Name}-{ordinal}";
                foreach (var template in spec["volumeClaimTemplates"] as JsonArray ?? [])
                    EnsureClaim(key, set, template!.AsObject(), podName, whenDeleted);
                if (pods.Any(p => p.Key.Name == podName)) continue;
                var earlierNotReady = Enumerable.Range(0, ordinal).Any(i => !pods.Any(p => p.Key.Name == $"{key.Name}-{i}" && Ready(p.Object)));
                if (spec["podManagementPolicy"]?.GetValue<string>() != "Parallel" && earlierNotReady) break;
                CreatePod(key, set, podName, ordinal, revision);
                pods = All("Pod", key.Namespace).Where(p => KubernetesApiDouble.OwnedBy(p.Object, Uid(set))).ToList();
            }
            // Scale down, highest ordinal first; claims go only when whenScaled is Delete.
            foreach (var (podKey, _) in pods.Where(p => Ordinal(p.Key.Name) >= replicas).OrderByDescending(p => Ordinal(p.Key.Name)).Take(1))
            {
                api.DeleteLocked(podKey, "Background");
                if (whenScaled == "Delete")
                    foreach (var template in spec["volumeClaimTemplates"] as JsonArray ?? [])
                        if (Store.ContainsKey(new ObjectKey("PersistentVolumeClaim", key.Namespace, $"{template!["metadata"]!["name"]}-{podKey.Name}")))
                            api.DeleteLocked(new ObjectKey("PersistentVolumeClaim", key.Namespace, $"{template["metadata"]!["name"]}-{podKey.Name}"), "Background");
            }
            // Rolling update: once every pod is ready, replace the highest-ordinal pod still on an old revision.
            var live = pods.Where(p => !Terminating(p.Object)).ToList();
            var updateStrategy = spec["updateStrategy"]?["type"]?.GetValue<string>() ?? "RollingUpdate";
            if (updateStrategy == "RollingUpdate" && live.Count == replicas && live.All(p => Ready(p.Object)))
            {
                var outdated = live.Where(p => PodRevision(p.Object) != revision).OrderByDescending(p => Ordinal(p.Key.Name)).FirstOrDefault();
                if (outdated.Object is not null) api.DeleteLocked(outdated.Key, "Background");
            }

            var ready = live.Count(p => Ready(p.Object));
            var available = live.Count(p => Ready(p.Object) && ReadySince(p.Object) is { } since && api.Time.GetUtcNow() - since >= TimeSpan.FromSeconds(minReady));
            var updated = live.Count(p => PodRevision(p.Object) == revision);
            if (updated == replicas && ready == replicas && live.Count == replicas) currentRevision = revision;
            var next = new JsonObject
            {
                ["observedGeneration"] = Meta(set)["generation"]!.DeepClone(),
                ["replicas"] = live.Count,
                ["readyReplicas"] = ready,
                ["availableReplicas"] = available,
                ["currentReplicas"] = live.Count(p => PodRevision(p.Object) == currentRevision),
                ["updatedReplicas"] = updated,
                ["currentRevision"] = currentRevision,
                ["updateRevision"] = revision,
                ["collisionCount"] = 0,
            };
            api.WriteStatus(key, next, ControllerManager);
        }
    }

    private static int Ordinal(string podName) => int.Parse(podName[(podName.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static string? PodRevision(JsonObject pod) => pod["metadata"]?["labels"]?["controller-revision-hash"]?.GetValue<string>();

    private static string Hash(JsonNode node) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(node.ToJsonString())))[..10];

    private void EnsureClaim(ObjectKey setKey, JsonObject set, JsonObject template, string podName, string whenDeleted)
    {
        var name = $"{template["metadata"]!["name"]}-{podName}";
        var key = new ObjectKey("PersistentVolumeClaim", setKey.Namespace, name);
        if (Store.ContainsKey(key)) return;
        var claim = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "PersistentVolumeClaim",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = (template["metadata"]?["labels"] ?? set["spec"]!["selector"]!["matchLabels"])!.DeepClone(),
            },
            ["spec"] = template["spec"]!.DeepClone(),
        };
        if (whenDeleted == "Delete") Meta(claim)["ownerReferences"] = new JsonArray(Owner(set, "StatefulSet", controller: true));
        api.Create(ApiResource.OfKind("PersistentVolumeClaim"), key, claim, [api.Entry(ControllerManager, "Update", ApiResource.OfKind("PersistentVolumeClaim"), FieldPaths.Of(claim))]);
    }

    private static JsonObject Owner(JsonObject owner, string kind, bool controller) => new()
    {
        ["apiVersion"] = owner["apiVersion"]!.DeepClone(), ["kind"] = kind, ["name"] = owner["metadata"]!["name"]!.DeepClone(),
        ["uid"] = Uid(owner), ["controller"] = controller, ["blockOwnerDeletion"] = true,
    };

    private void CreatePod(ObjectKey setKey, JsonObject set, string podName, int ordinal, string revision)
    {
        var template = set["spec"]!["template"]!;
        var labels = (template["metadata"]?["labels"] as JsonObject)?.DeepClone().AsObject() ?? [];
        labels["controller-revision-hash"] = revision;
        labels["statefulset.kubernetes.io/pod-name"] = podName;
        labels["apps.kubernetes.io/pod-index"] = ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var podSpec = template["spec"]!.DeepClone().AsObject();
        podSpec["hostname"] = podName;
        podSpec["subdomain"] = set["spec"]!["serviceName"]?.DeepClone();
        var volumes = podSpec["volumes"] as JsonArray ?? (JsonArray)(podSpec["volumes"] = new JsonArray());
        foreach (var claim in set["spec"]!["volumeClaimTemplates"] as JsonArray ?? [])
        {
            var claimName = claim!["metadata"]!["name"]!.GetValue<string>();
            volumes.Add(new JsonObject { ["name"] = claimName, ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = $"{claimName}-{podName}" } });
        }
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = podName, ["labels"] = labels, ["ownerReferences"] = new JsonArray(Owner(set, "StatefulSet", controller: true)) },
            ["spec"] = podSpec,
            ["status"] = new JsonObject { ["phase"] = "Pending" },
        };
        api.Create(ApiResource.OfKind("Pod"), new ObjectKey("Pod", setKey.Namespace, podName), pod,
            [api.Entry(ControllerManager, "Update", ApiResource.OfKind("Pod"), FieldPaths.Of(pod))]);
    }

    private static bool Ready(JsonObject pod) =>
        !Terminating(pod) && (pod["status"]?["conditions"] as JsonArray)?.Any(c => c?["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True") == true;

    private static DateTimeOffset? ReadySince(JsonObject pod) =>
        (pod["status"]?["conditions"] as JsonArray)?.Where(c => c?["type"]?.GetValue<string>() == "Ready").Select(c => DateTimeOffset.Parse(c!["lastTransitionTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();

    /// <summary>The scheduler and the kubelet: what each pod's script makes of it at the current time.</summary>
    private void Pods()
    {
        foreach (var (key, pod) in All("Pod").Where(p => !Terminating(p.Object)))
        {
            var script = api.Kubelet(key.Name); // asked every pass, so a test can change a pod's fate while it waits
            var created = DateTimeOffset.Parse(Meta(pod)["creationTimestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            var now = api.Time.GetUtcNow();
            var containers = (pod["spec"]?["containers"] as JsonArray ?? []).Select(c => c!["name"]!.GetValue<string>()).ToList();
            var unbound = ClaimNames(pod).Where(c => Store.TryGetValue(new ObjectKey("PersistentVolumeClaim", key.Namespace, c), out var pvc)
                && pvc["status"]?["phase"]?.GetValue<string>() != "Bound"
                && api.StorageClasses.GetValueOrDefault(pvc["spec"]?["storageClassName"]?.GetValue<string>() ?? api.DefaultStorageClass) != "WaitForFirstConsumer").ToList();
            var missingClaims = ClaimNames(pod).Where(c => !Store.ContainsKey(new ObjectKey("PersistentVolumeClaim", key.Namespace, c))).ToList();

            string? unschedulable = script is PodScript.NotScheduled ns ? ns.Message
                : missingClaims.Count > 0 ? $"0/1 nodes are available: persistentvolumeclaim \"{missingClaims[0]}\" not found."
                : unbound.Count > 0 ? "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims." : null;
            var status = new JsonObject();
            if (unschedulable is not null)
            {
                status["phase"] = "Pending";
                status["conditions"] = new JsonArray(Condition("PodScheduled", "False", "Unschedulable", unschedulable, created));
                api.WriteStatus(key, status, "kube-scheduler");
                Event(key, "Pod", "Warning", "FailedScheduling", unschedulable);
                continue;
            }
            if (pod["spec"]?["nodeName"] is null)
            {
                var bound = (JsonObject)pod.DeepClone();
                bound["spec"]!["nodeName"] = "minikube"; // the binding subresource
                api.WriteObject(key, bound);
                continue;
            }
            var podIp = pod["status"]?["podIP"]?.GetValue<string>() ?? $"10.244.0.{++_podIp % 250 + 2}";
            status["phase"] = script is PodScript.BadImage ? "Pending" : "Running";
            status["hostIP"] = "192.168.49.2";
            status["podIP"] = podIp;
            status["startTime"] = Meta(pod)["creationTimestamp"]!.DeepClone();
            var ready = script is PodScript.Ready r && now - created >= r.Delay;
            var readySince = script is PodScript.Ready r2 ? created + r2.Delay : created;
            var statuses = new JsonArray();
            foreach (var name in containers)
            {
                var image = (pod["spec"]!["containers"] as JsonArray)!.First(c => c!["name"]!.GetValue<string>() == name)!["image"]!.DeepClone();
                JsonObject state = script switch
                {
                    PodScript.BadImage => new JsonObject { ["waiting"] = new JsonObject { ["reason"] = now - created < TimeSpan.FromSeconds(10) ? "ErrImagePull" : "ImagePullBackOff", ["message"] = $"Back-off pulling image \"{image}\"" } },
                    PodScript.Crashing => new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "CrashLoopBackOff", ["message"] = $"back-off 40s restarting failed container={name} pod={key.Name}" } },
                    _ => new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Meta(pod)["creationTimestamp"]!.DeepClone() } },
                };
                statuses.Add(new JsonObject
                {
                    ["name"] = name, ["image"] = image, ["imageID"] = "", ["ready"] = ready, ["started"] = script is PodScript.Ready or PodScript.Running,
                    ["restartCount"] = script is PodScript.Crashing ? (int)((now - created).TotalSeconds / 40) : 0, ["state"] = state,
                });
            }
            status["containerStatuses"] = statuses;
            var notReady = ready ? null : $"containers with unready status: [{string.Join(" ", containers)}]";
            status["conditions"] = new JsonArray(
                Condition("PodScheduled", "True", null, null, created),
                Condition("Initialized", "True", null, null, created),
                Condition("ContainersReady", ready ? "True" : "False", ready ? null : "ContainersNotReady", notReady, ready ? readySince : created),
                Condition("Ready", ready ? "True" : "False", ready ? null : "ContainersNotReady", notReady, ready ? readySince : created));
            api.WriteStatus(key, status, "kubelet");
            if (script is PodScript.BadImage) Event(key, "Pod", "Warning", "Failed", $"Failed to pull image {statuses[0]!["image"]}: not found");
            if (script is PodScript.Crashing) Event(key, "Pod", "Warning", "BackOff", "Back-off restarting failed container");
        }
    }

    private JsonObject Condition(string type, string status, string? reason, string? message, DateTimeOffset since)
    {
        var c = new JsonObject
        {
            ["type"] = type, ["status"] = status,
            ["lastTransitionTime"] = since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (reason is not null) c["reason"] = reason;
        if (message is not null) c["message"] = message;
        return c;
    }

    private void Event(ObjectKey about, string kind, string type, string reason, string message)
    {
        var name = $"{about.Name}.{reason.ToLowerInvariant()}";
        var key = new ObjectKey("Event", about.Namespace, name);
        if (about.Namespace is { } ns && Store.TryGetValue(new ObjectKey("Namespace", null, ns), out var nso) && Terminating(nso)) return;
        if (Store.TryGetValue(key, out var seen))
        {
            // A repeated event is one object whose count and lastTimestamp go up (as the kubelet's event recorder does).
            if (seen["lastTimestamp"]?.GetValue<string>() == api.Now()) return;
            var again = (JsonObject)seen.DeepClone();
            again["lastTimestamp"] = api.Now();
            again["count"] = (seen["count"]?.GetValue<int>() ?? 1) + 1;
            again["message"] = message;
            api.WriteObject(key, again);
            return;
        }
        var e = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["involvedObject"] = new JsonObject { ["kind"] = kind, ["name"] = about.Name, ["namespace"] = about.Namespace },
            ["type"] = type, ["reason"] = reason, ["message"] = message, ["count"] = 1,
            ["firstTimestamp"] = api.Now(), ["lastTimestamp"] = api.Now(),
        };
        api.Create(ApiResource.OfKind("Event"), key, e, []);
    }

    private void Endpoints()
    {
        foreach (var (key, service) in All("Service"))
        {
            if (service["spec"]?["selector"] is not JsonObject selector || selector.Count == 0) continue;
            var publishNotReady = service["spec"]?["publishNotReadyAddresses"]?.GetValue<bool>() == true;
            var pods = All("Pod", key.Namespace).Where(p => !Terminating(p.Object) && p.Object["status"]?["podIP"] is not null
                && selector.All(kv => p.Object["metadata"]?["labels"]?[kv.Key]?.GetValue<string>() == kv.Value!.GetValue<string>())).ToList();
            JsonObject Address(JsonObject pod) => new()
            {
                ["ip"] = pod["status"]!["podIP"]!.DeepClone(), ["nodeName"] = pod["spec"]?["nodeName"]?.DeepClone(),
                ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["name"] = pod["metadata"]!["name"]!.DeepClone(), ["namespace"] = key.Namespace },
            };
            var addresses = new JsonArray([.. pods.Where(p => publishNotReady || Ready(p.Object)).Select(p => (JsonNode)Address(p.Object))]);
            var notReady = new JsonArray([.. pods.Where(p => !publishNotReady && !Ready(p.Object)).Select(p => (JsonNode)Address(p.Object))]);
            var endpoints = new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Endpoints",
                ["metadata"] = new JsonObject { ["name"] = key.Name, ["labels"] = service["metadata"]?["labels"]?.DeepClone() },
            };
            if (pods.Count > 0)
            {
                var subset = new JsonObject
                {
                    ["ports"] = new JsonArray([.. (service["spec"]!["ports"] as JsonArray ?? []).Select(p => (JsonNode)new JsonObject
                    {
                        ["name"] = p!["name"]?.DeepClone(), ["port"] = (p["targetPort"] ?? p["port"])!.DeepClone(), ["protocol"] = p["protocol"]?.DeepClone() ?? "TCP",
                    })]),
                };
                if (addresses.Count > 0) subset["addresses"] = addresses;
                if (notReady.Count > 0) subset["notReadyAddresses"] = notReady;
                endpoints["subsets"] = new JsonArray(subset);
            }
            var epKey = new ObjectKey("Endpoints", key.Namespace, key.Name);
            if (!Store.TryGetValue(epKey, out var existing))
            {
                Meta(endpoints)["ownerReferences"] = new JsonArray(Owner(service, "Service", controller: false));
                api.Create(ApiResource.OfKind("Endpoints"), epKey, endpoints, []);
            }
            else if (!FieldPaths.SameValue(existing["subsets"], endpoints["subsets"]))
            {
                var next = (JsonObject)existing.DeepClone();
                if (endpoints["subsets"] is { } s) next["subsets"] = s.DeepClone(); else next.Remove("subsets");
                api.WriteObject(epKey, next);
            }
        }
    }

    /// <summary>A DaemonSet on the one node: scheduled and ready at once (its pods are not simulated).</summary>
    private void DaemonSets()
    {
        foreach (var (key, ds) in All("DaemonSet").Where(d => !Terminating(d.Object)))
            api.WriteStatus(key, new JsonObject
            {
                ["observedGeneration"] = Meta(ds)["generation"]!.DeepClone(), ["desiredNumberScheduled"] = 1, ["currentNumberScheduled"] = 1,
                ["numberReady"] = 1, ["updatedNumberScheduled"] = 1, ["numberAvailable"] = 1, ["numberMisscheduled"] = 0,
            }, ControllerManager);
    }
}
