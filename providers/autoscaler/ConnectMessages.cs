namespace ScyllaApocryph.Providers.Autoscaler;

// apocryph.proto.v0.autoscaler (proto/autoscaler.proto), in protojson field names.

/// <param name="Timeout">Seconds (uint32 in the proto).</param>
public sealed record ConnectClusterRequest(string NodeGateway, IReadOnlyList<string> Servers, uint Timeout);

public sealed record ConnectClusterResponse(bool Success, string? Error = null);

/// <remarks>The proto names the field <c>peerID</c>.</remarks>
public sealed record TriggerNodeResponse(string? PeerID);

/// <summary>A Connect error body: <c>{"code": "unavailable", "message": "..."}</c>.</summary>
public sealed record ConnectError(string Code, string? Message);
