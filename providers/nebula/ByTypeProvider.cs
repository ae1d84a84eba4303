using ScyllaApocryph.Engine.Providers;

namespace ScyllaApocryph.Providers.Nebula;

/// <summary>
/// One registered provider name serving several resource types (as a Pulumi package does): every call goes to
/// the provider for the request's type token.
/// </summary>
public abstract class ByTypeProvider(IReadOnlyDictionary<string, IResourceProvider> byType) : IResourceProvider
{
    public IEnumerable<string> Types => byType.Keys;

    private IResourceProvider For(string type) =>
        byType.TryGetValue(type, out var p) ? p : throw new ArgumentException($"{GetType().Name} does not manage resources of type {type}");

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken) => For(request.Type).CheckAsync(request, cancellationToken);

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken) => For(request.Type).DiffAsync(request, cancellationToken);

    public Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken) => For(request.Type).CreateAsync(request, cancellationToken);

    public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken) => For(request.Type).ReadAsync(request, cancellationToken);

    public Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) => For(request.Type).UpdateAsync(request, cancellationToken);

    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => For(request.Type).DeleteAsync(request, cancellationToken);

    public Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken) => For(request.Type).FindAsync(request, cancellationToken);
}
