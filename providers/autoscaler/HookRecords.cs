using System.Text.Json.Serialization;
using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Providers.Autoscaler;

// The hooks the Apocryph Autoscaler lacks, served by the node agent. JSON over HTTP, camelCase, enums by name:
//   GET  /hooks/v1/instances         -> ListInstancesResponse      the live instances, one per slot at most
//   POST /hooks/v1/instance-failed   InstanceFailedRequest -> InstanceFailedResponse   ask for a new instance
//   POST /hooks/v1/instance-added    InstanceAddedRequest  -> InstanceAddedResponse    an instance started
//   POST /hooks/v1/boot              BootInstruction       -> BootResponse             how an empty instance boots
// Errors: non-2xx with {"error": "..."}.

/// <summary>One live instance. <see cref="Phase"/> AwaitingBoot means: running, empty volume, waiting for a boot instruction.</summary>
public sealed record HookInstance(string Slot, string InstanceId, InstancePhase Phase, string? Address = null, string? PeerId = null);

public sealed record ListInstancesResponse(IReadOnlyList<HookInstance> Instances);

/// <summary>Reports that a slot's instance is gone or broken; the server may call the autoscaler's TriggerNode.</summary>
public sealed record InstanceFailedRequest(string Slot, string InstanceId, string Reason);

/// <param name="PeerId">The peer that will host the replacement instance, when one was requested.</param>
public sealed record InstanceFailedResponse(bool Accepted, string? PeerId = null);

/// <summary>Announces a started instance; <see cref="VolumeEmpty"/> says whether it has data of its own.</summary>
public sealed record InstanceAddedRequest(string Slot, string InstanceId, string Address, bool VolumeEmpty);

public sealed record InstanceAddedResponse(bool Accepted);

[JsonConverter(typeof(JsonStringEnumConverter<BootMode>))]
public enum BootMode
{
    /// <summary>Join as a new node (scale-up).</summary>
    Fresh,

    /// <summary>Start with replace_node_first_boot=<see cref="BootInstruction.ReplaceHostId"/>.</summary>
    Replace,
}

/// <summary>Tells the agent of an AwaitingBoot instance how to start ScyllaDB. Idempotent: repeating it changes nothing.</summary>
/// <param name="Seeds">Existing ready nodes in a deterministic order; never the instance itself. For the node agent: these
/// must reach ScyllaDB's command line as <c>--seeds</c>. The rendered start arguments already carry a fixed
/// <c>--seeds</c> (slot 0's is slot 0 alone: it founds the cluster), and the image's entrypoint turns <c>--seeds</c> into
/// the seed provider's parameters, which beat scylla.yaml (dist/docker/scyllasetup.py at scylla-2025.1.4). Writing these
/// seeds into scylla.yaml only would leave a slot-0 replacement seeding itself: a new cluster of one.</param>
/// <param name="IgnoreDeadHostIds">Other dead members the replace must ignore (ignore_dead_nodes_for_replace). ScyllaDB 2025.1
/// bans them for good from the start of the replace, so the reconciler names only members confirmed lost.</param>
public sealed record BootInstruction(string Slot, BootMode Mode, string? ReplaceHostId, IReadOnlyList<string> Seeds,
    IReadOnlyList<string> IgnoreDeadHostIds);

public sealed record BootResponse(bool Accepted, string? Error = null);

public sealed record HookError(string Error);
