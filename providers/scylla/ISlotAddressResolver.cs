namespace ScyllaApocryph.Providers.Scylla;

/// <summary>
/// The IP addresses a slot's address (a DNS name on Kubernetes) stands for now: ScyllaDB's REST API lists nodes by IP,
/// the stack names slots by address. An empty answer means "unknown now" (a dead pod's headless-Service record vanishes).
/// </summary>
public interface ISlotAddressResolver
{
    Task<IReadOnlyList<string>> ResolveAsync(string name, CancellationToken cancellationToken);
}
