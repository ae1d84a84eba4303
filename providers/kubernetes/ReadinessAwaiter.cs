using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ScyllaApocryph.Providers.Kubernetes;

/// <summary>
/// Waits after an apply until the object is ready, with the success conditions of pulumi-kubernetes
/// (provider/pkg/await: statefulset.go, service.go, daemonset.go, and its PersistentVolumeClaim check):
/// <list type="bullet">
/// <item>StatefulSet: the controller observed this generation; replicas, readyReplicas and currentReplicas equal
/// spec.replicas (availableReplicas too when minReadySeconds is set); currentRevision equals updateRevision.</item>
/// <item>Service: headless and ExternalName Services are ready at once; others once their Endpoints have a subset.</item>
/// <item>PersistentVolumeClaim: Bound, or waiting for its first consumer (WaitForFirstConsumer binding).</item>
/// <item>DaemonSet: every scheduled pod is updated and ready.</item>
/// </list>
/// Progress names each pod that is not ready, what it waits on, and its last event. Unlike Pulumi, which reports
/// pod errors and waits out the timeout, a pod held by a stuck reason for <see cref="AwaitOptions.StuckAfter"/> fails
/// the step at once, naming the reason.
/// </summary>
internal sealed class ReadinessAwaiter(IKubernetes client, AwaitOptions options)
{
    /// <summary>pulumi-kubernetes' defaults: DefaultStatefulSetTimeoutMins, DefaultServiceTimeoutMins, ... are 10.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    private sealed record Look(bool Ready, string Status, IReadOnlyList<PodWait> Pods);

    public static bool Awaits(string kind) => kind is "StatefulSet" or "Service" or "PersistentVolumeClaim" or "DaemonSet";

    public async Task AwaitAsync(string kind, string name, string? ns, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!Awaits(kind)) return;
        var subject = $"{kind} {(ns is null ? name : $"{ns}/{name}")}";
        var deadline = options.Time.GetUtcNow() + timeout;
        var stuckSince = new Dictionary<string, DateTimeOffset>();
        string? last = null;
        while (true)
        {
            var look = kind switch
            {
                "StatefulSet" => await StatefulSet(name, ns!, cancellationToken),
                "Service" => await Service(name, ns!, cancellationToken),
                "PersistentVolumeClaim" => await Claim(name, ns!, cancellationToken),
                _ => await DaemonSet(name, ns!, cancellationToken),
            };
            if (look.Ready)
            {
                options.Progress?.Invoke($"{subject}: ready ({look.Status})");
                return;
            }
            if (look.Status != last) options.Progress?.Invoke($"{subject}: waiting: {look.Status}");
            last = look.Status;

            var now = options.Time.GetUtcNow();
            var stuckNow = look.Pods.Where(p => p.Stuck).ToDictionary(p => p.Pod + "/" + p.StuckKey);
            foreach (var gone in stuckSince.Keys.Except(stuckNow.Keys).ToList()) stuckSince.Remove(gone);
            foreach (var (key, wait) in stuckNow)
            {
                var since = stuckSince.TryGetValue(key, out var s) ? s : stuckSince[key] = now;
                if (now - since >= options.StuckAfter)
                    throw new PodStuckException(wait, $"{subject} cannot become ready: {wait} for {(now - since).TotalSeconds:0}s");
            }
            if (now >= deadline)
                throw new TimeoutException($"{subject} was not ready within {timeout.TotalMinutes:0.#} minutes: {look.Status}");
            await options.SleepAsync(options.PollInterval, cancellationToken);
        }
    }

    private async Task<Look> StatefulSet(string name, string ns, CancellationToken ct)
    {
        var set = await client.AppsV1.ReadNamespacedStatefulSetAsync(name, ns, cancellationToken: ct);
        var want = set.Spec.Replicas ?? 1;
        var s = set.Status;
        var observed = s?.ObservedGeneration is { } g && g >= (set.Metadata.Generation ?? 0);
        var needAvailable = (set.Spec.MinReadySeconds ?? 0) > 0;
        var replicasReady = observed && s!.Replicas == want && (s.ReadyReplicas ?? 0) == want && (s.CurrentReplicas ?? 0) == want
            && (!needAvailable || (s.AvailableReplicas ?? 0) == want);
        var revisionReady = observed && s!.UpdateRevision is { } update && update == s.CurrentRevision;
        var counts = $"{s?.ReadyReplicas ?? 0}/{want} pods ready";
        if (replicasReady && revisionReady) return new Look(true, $"{counts}, revision {s!.CurrentRevision}", []);

        var selector = string.Join(",", set.Spec.Selector.MatchLabels.Select(kv => $"{kv.Key}={kv.Value}"));
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: ct);
        var waits = new List<PodWait>();
        var details = new List<string>();
        foreach (var pod in pods.Items.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            foreach (var claim in (pod.Spec.Volumes ?? []).Select(v => v.PersistentVolumeClaim?.ClaimName).OfType<string>())
                if (await ClaimWait(claim, ns, ct) is { } claimWait) details.Add(claimWait);
            if (PodWait.Of(pod) is not { } found) continue;
            var wait = found with { LastEvent = await LastEvent(pod.Metadata.Name, ns, ct) };
            waits.Add(wait);
            details.Add(wait.ToString());
        }
        var phase = !observed ? "waiting for the StatefulSet controller to observe generation " + set.Metadata.Generation
            : !replicasReady ? (set.Metadata.Generation <= 1 ? "[1/2] waiting for pods" : "[1/3] waiting for the update to roll out") + $" ({counts})"
            : (set.Metadata.Generation <= 1 ? "[2/2]" : "[2/3]") + " waiting for .status.currentRevision to reach " + s!.UpdateRevision;
        if (pods.Items.Count == 0 && observed) details.Add("no pods yet");
        return new Look(false, details.Count == 0 ? phase : $"{phase}; {string.Join("; ", details)}", waits);
    }

    private async Task<string?> ClaimWait(string claim, string ns, CancellationToken ct)
    {
        V1PersistentVolumeClaim pvc;
        try
        {
            pvc = await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(claim, ns, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return $"claim {claim}: not created yet";
        }
        return pvc.Status?.Phase == "Bound" ? null : $"claim {claim}: {pvc.Status?.Phase ?? "Pending"}{await LastEvent(claim, ns, ct)}";
    }

    private async Task<Look> Claim(string name, string ns, CancellationToken ct)
    {
        var pvc = await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(name, ns, cancellationToken: ct);
        if (pvc.Status?.Phase == "Bound") return new Look(true, "Bound", []);
        var events = await Events(name, ns, ct);
        // With WaitForFirstConsumer binding a claim stays Pending until a pod uses it: pulumi-kubernetes accepts that.
        if (events.Any(e => e.Reason == "WaitForFirstConsumer")) return new Look(true, "Pending, waiting for its first consumer", []);
        return new Look(false, $"{pvc.Status?.Phase ?? "Pending"}{await LastEvent(name, ns, ct)}", []);
    }

    private async Task<Look> Service(string name, string ns, CancellationToken ct)
    {
        var service = await client.CoreV1.ReadNamespacedServiceAsync(name, ns, cancellationToken: ct);
        if (service.Spec.Type == "ExternalName" || service.Spec.ClusterIP == "None") return new Look(true, "no endpoints needed", []);
        if (service.Spec.Selector is not { Count: > 0 }) return new Look(true, "no selector, endpoints managed elsewhere", []);
        try
        {
            var endpoints = await client.CoreV1.ReadNamespacedEndpointsAsync(name, ns, cancellationToken: ct);
            if (endpoints.Subsets is { Count: > 0 } subsets)
                return new Look(true, $"{subsets.Sum(s => (s.Addresses?.Count ?? 0) + (s.NotReadyAddresses?.Count ?? 0))} endpoint(s)", []);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
        return new Look(false, "[1/3] finding pods to direct traffic to: the Service does not target any pod yet", []);
    }

    private async Task<Look> DaemonSet(string name, string ns, CancellationToken ct)
    {
        var set = await client.AppsV1.ReadNamespacedDaemonSetAsync(name, ns, cancellationToken: ct);
        var s = set.Status;
        var ready = s is not null && s.ObservedGeneration >= (set.Metadata.Generation ?? 0)
            && s.UpdatedNumberScheduled == s.DesiredNumberScheduled && s.NumberReady == s.DesiredNumberScheduled;
        return new Look(ready, $"{s?.NumberReady ?? 0}/{s?.DesiredNumberScheduled ?? 0} pods ready", []);
    }

    private async Task<IList<Corev1Event>> Events(string name, string ns, CancellationToken ct) =>
        (await client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: $"involvedObject.name={name}", cancellationToken: ct)).Items;

    private async Task<string> LastEvent(string name, string ns, CancellationToken ct)
    {
        var last = (await Events(name, ns, ct)).OrderBy(e => e.LastTimestamp ?? e.EventTime ?? DateTime.MinValue).LastOrDefault();
        return last is null ? "" : $" (last event: {last.Type} {last.Reason}: {last.Message})";
    }
}

/// <summary>A pod that will not become ready by itself.</summary>
public sealed class PodStuckException(PodWait wait, string message) : Exception(message)
{
    public PodWait Wait { get; } = wait;
}
