using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Providers.Kubernetes;

/// <summary>
/// Deploys Kubernetes objects with server-side apply (a provider of kind <c>kubernetes</c>). Resource type
/// <c>kubernetes:&lt;apiVersion&gt;:&lt;Kind&gt;</c>; inputs <c>apiVersion</c>, <c>kind</c>, <c>namespace</c>, <c>name</c>
/// (the identity: a change replaces) and <c>manifest</c> (the object as JSON, secret if it carries key material).
/// Apply is idempotent by nature, so Create adopts an object that already exists. Deleting a StatefulSet leaves
/// its PersistentVolumeClaims: a database's data is never removed as a side effect.
/// </summary>
public sealed class KubernetesProvider(Func<IKubernetes> connect) : IResourceProvider
{
    public const string FieldManager = "scylla-apocryph";
    private readonly Lazy<IKubernetes> _client = new(connect);

    /// <summary>Destroy deletes the stack's volume claims too (<c>destroy --delete-data</c>); see <see cref="NamespaceOwnership"/>.</summary>
    public bool DeleteData { get; set; }

    /// <summary>A provider for one kubeconfig context; nothing connects until the first call that needs the API.</summary>
    public static KubernetesProvider ForContext(string context, string? kubeconfig) => new(() =>
        new k8s.Kubernetes(KubeconfigFiles.Configuration(context, kubeconfig, Environment.GetEnvironmentVariable)));

    public static string TypeFor(string apiVersion, string kind) => $"kubernetes:{(apiVersion.Contains('/') ? apiVersion : "core/" + apiVersion)}:{kind}";

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var failures = new List<CheckFailure>();
        foreach (var key in new[] { "apiVersion", "kind", "name" })
            if (request.News.GetString(key) is null) failures.Add(new CheckFailure(key, "is required"));
        if (request.News.GetString("kind") is { } kind && !Kinds.Supported.ContainsKey(kind))
            failures.Add(new CheckFailure("kind", $"'{kind}' is not supported (supported: {string.Join(", ", Kinds.Supported.Keys)})"));
        if (request.News.Get("manifest") is null) failures.Add(new CheckFailure("manifest", "is required"));
        return Task.FromResult(new CheckResult(request.News, failures));
    }

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(DiffResult.ByInputs(request.OldInputs, request.NewInputs, "apiVersion", "kind", "namespace", "name"));

    public async Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken)
    {
        var (ops, name, ns) = Target(request.Inputs);
        var isNamespace = request.Inputs.GetString("kind") == "Namespace";
        var existed = isNamespace && await NamespaceOwnership.ExistsAsync(_client.Value, name, cancellationToken);
        var applied = await ops.Apply(_client.Value, Patch(request.Inputs), name, ns, cancellationToken);
        var outputs = Outputs(applied);
        return new CreateResult(Id(ns, name), isNamespace ? outputs.With(NamespaceOwnership.CreatedByStack, !existed) : outputs);
    }

    public async Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        var (ops, name, ns) = Target(request.Inputs);
        try
        {
            var live = await ops.Read(_client.Value, name, ns, cancellationToken);
            return new ReadResult(request.Id, KeepOwnership(request.Outputs, Outputs(live)));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken)
    {
        var (ops, name, ns) = Target(request.NewInputs);
        var applied = await ops.Apply(_client.Value, Patch(request.NewInputs), name, ns, cancellationToken);
        return new UpdateResult(KeepOwnership(request.OldOutputs, Outputs(applied)));
    }

    public async Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken)
    {
        var (ops, name, ns) = Target(request.Inputs);
        if (request.Inputs.GetString("kind") == "Namespace")
        {
            // State written before ownership was recorded has no flag: such a namespace is kept, the safe side.
            var created = request.Outputs.Get(NamespaceOwnership.CreatedByStack)?.AsBool == true;
            await NamespaceOwnership.DeleteAsync(_client.Value, name, created, DeleteData, cancellationToken);
            return;
        }
        try
        {
            await ops.Delete(_client.Value, name, ns, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // already gone
        }
    }

    /// <summary>An object's id is its namespace and name, which the inputs hold: read it to see if it was created.</summary>
    public async Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken)
    {
        var (_, name, ns) = Target(request.Inputs);
        var read = await ReadAsync(new ReadRequest(request.Urn, request.Type, Id(ns, name), request.Inputs, PropertyMap.Empty), cancellationToken);
        return read is null ? FindResult.Absent : FindResult.Found(read.Id, read.Outputs);
    }

    private static (Kinds.Operations Ops, string Name, string? Namespace) Target(PropertyMap inputs) =>
        (Kinds.Supported[inputs.GetString("kind")!], inputs.GetString("name")!, inputs.GetString("namespace"));

    private static V1Patch Patch(PropertyMap inputs) => new(inputs.Get("manifest")!.Reveal().AsString!, V1Patch.PatchType.ApplyPatch);

    /// <summary>Whether the stack created a namespace is known only at its creation: every later read or update keeps it.</summary>
    private static PropertyMap KeepOwnership(PropertyMap old, PropertyMap outputs) =>
        old.Get(NamespaceOwnership.CreatedByStack) is { } flag ? outputs.With(NamespaceOwnership.CreatedByStack, flag) : outputs;

    private static string Id(string? ns, string name) => ns is null ? name : $"{ns}/{name}";

    private static PropertyMap Outputs(IMetadata<V1ObjectMeta> o) =>
        PropertyMap.Of(("uid", o.Metadata?.Uid ?? ""), ("resourceVersion", o.Metadata?.ResourceVersion ?? ""));
}
