namespace ScyllaApocryph.Providers.Autoscaler;

/// <summary>The hooks API, as both the reconciler's client and the agent's backend implement it.</summary>
public interface IAutoscalerHooks
{
    Task<ListInstancesResponse> ListInstancesAsync(CancellationToken cancellationToken);

    Task<InstanceFailedResponse> ReportInstanceFailedAsync(InstanceFailedRequest request, CancellationToken cancellationToken);

    Task<InstanceAddedResponse> InstanceAddedAsync(InstanceAddedRequest request, CancellationToken cancellationToken);

    Task<BootResponse> BootAsync(BootInstruction instruction, CancellationToken cancellationToken);
}
