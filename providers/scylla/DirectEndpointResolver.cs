namespace ScyllaApocryph.Providers.Scylla;

/// <summary>Reaches the REST API at <c>http://{address}:{port}/</c>: for an overlay network that exposes it behind firewall groups.</summary>
public sealed class DirectEndpointResolver(int port = Components.Defaults.Ports.RestApi) : IScyllaEndpointResolver
{
    public Task<Uri?> ResolveAsync(string address, CancellationToken cancellationToken) =>
        Task.FromResult<Uri?>(new UriBuilder("http", address, port).Uri);
}
