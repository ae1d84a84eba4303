namespace ScyllaApocryph.Tests.Doubles.Kubernetes;

/// <summary>
/// What the simulated scheduler and kubelet do with a pod, chosen by the test. Each outcome shows up the way the
/// real components report it in the pod's status (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/):
/// an unschedulable pod stays Pending with condition PodScheduled=False reason Unschedulable; a failed image pull
/// leaves the container waiting with reason ErrImagePull, then ImagePullBackOff; a container that keeps exiting
/// waits with reason CrashLoopBackOff; a started container is Ready once its readiness probe passes.
/// </summary>
public abstract record PodScript
{
    public static PodScript ReadyAfter(TimeSpan delay) => new Ready(delay);

    public static readonly PodScript NeverReady = new Running();

    public static readonly PodScript ImagePullBackOff = new BadImage();

    public static readonly PodScript CrashLoopBackOff = new Crashing();

    public static PodScript Unschedulable(string message) => new NotScheduled(message);

    public sealed record Ready(TimeSpan Delay) : PodScript;

    public sealed record Running : PodScript;

    public sealed record BadImage : PodScript;

    public sealed record Crashing : PodScript;

    public sealed record NotScheduled(string Message) : PodScript;
}
