namespace ScyllaApocryph.Providers.Scylla;

/// <summary>
/// How the provider reaches a node's REST API, which listens on 127.0.0.1:10000 inside its pod. Implementations:
/// a Kubernetes port-forward, the node agent's tunnel, or (in tests) the simulator's addresses.
/// </summary>
public interface IScyllaEndpointResolver
{
    /// <summary>The base URI of the REST API of the node at <paramref name="address"/>, or null if it cannot be reached now.</summary>
    Task<Uri?> ResolveAsync(string address, CancellationToken cancellationToken);
}
