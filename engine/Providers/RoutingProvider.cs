namespace ScyllaApocryph.Engine.Providers;

/// <summary>
/// A provider that serves several resource types by passing every call to the provider <see cref="For"/> picks for
/// the request's type token (as one Pulumi package serves many types).
/// </summary>
public abstract class RoutingProvider : IResourceProvider
{
    /// <summary>The provider for <paramref name="type"/>; throws <see cref="ArgumentException"/> for a type it does not serve.</summary>
    protected abstract IResourceProvider For(string type);

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken) => For(request.Type).CheckAsync(request, cancellationToken);

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken) => For(request.Type).DiffAsync(request, cancellationToken);

    public Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken) => For(request.Type).CreateAsync(request, cancellationToken);

    public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken) => For(request.Type).ReadAsync(request, cancellationToken);

    public Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) => For(request.Type).UpdateAsync(request, cancellationToken);

    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => For(request.Type).DeleteAsync(request, cancellationToken);

    public Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken) => For(request.Type).FindAsync(request, cancellationToken);
}
