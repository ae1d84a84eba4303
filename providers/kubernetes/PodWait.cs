using k8s.Models;

namespace ScyllaApocryph.Providers.Kubernetes;

/// <summary>
/// What one pod waits on, read from its status the way pulumi-kubernetes' pod checks do
/// (provider/pkg/await/states/pod.go and cloud-ready-checks/pkg/kubernetes/pod): the PodScheduled condition, then
/// each container's waiting reason, then the Ready condition. <see cref="Stuck"/> marks reasons that do not
/// clear on their own.
/// </summary>
public sealed record PodWait(string Pod, string Reason, string Message, bool Stuck)
{
    /// <summary>The pod's most recent event, as " (last event: Warning Failed: ...)", or empty.</summary>
    public string LastEvent { get; init; } = "";

    /// <summary>Reasons that mean a pod will not start without someone changing something.</summary>
    private static readonly HashSet<string> StuckReasons =
        ["Unschedulable", "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError"];

    /// <summary>Null once the pod is ready.</summary>
    public static PodWait? Of(V1Pod pod)
    {
        var name = pod.Metadata.Name;
        var conditions = pod.Status?.Conditions ?? [];
        if (conditions.FirstOrDefault(c => c.Type == "PodScheduled") is { Status: "False" } scheduled)
            return new PodWait(name, scheduled.Reason ?? "Unschedulable", scheduled.Message ?? "", StuckReasons.Contains(scheduled.Reason ?? "Unschedulable"));
        var containers = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []);
        foreach (var c in containers)
            if (c.State?.Waiting is { Reason: { } reason } waiting && reason != "ContainerCreating" && reason != "PodInitializing")
                return new PodWait(name, reason, $"container {c.Name}: {waiting.Message}".TrimEnd(' ', ':'), StuckReasons.Contains(reason));
        if (conditions.FirstOrDefault(c => c.Type == "Ready") is { Status: "True" }) return null;
        var ready = conditions.FirstOrDefault(c => c.Type == "Ready");
        return new PodWait(name, ready?.Reason ?? pod.Status?.Phase ?? "Pending", ready?.Message ?? "", false);
    }

    /// <summary>ErrImagePull turns into ImagePullBackOff after the first retry; both are one stuck state.</summary>
    public string StuckKey => Reason == "ErrImagePull" ? "ImagePullBackOff" : Reason;

    public override string ToString() => (Message.Length == 0 ? $"pod {Pod}: {Reason}" : $"pod {Pod}: {Reason} ({Message})") + LastEvent;
}
