using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Providers.Kubernetes;

/// <summary>
/// Deploys Kubernetes objects with server-side apply (a provider of kind <c>kubernetes</c>). Resource type
/// <c>kubernetes:&lt;apiVersion&gt;:&lt;Kind&gt;</c>; inputs <c>apiVersion</c>, <c>kind</c>, <c>namespace</c>, <c>name</c>
/// (the identity: a change replaces), <c>manifest</c> (the object as JSON, secret if it carries key material), and
/// optionally <c>skipAwait</c> and <c>awaitTimeoutSeconds</c>.
/// Apply is idempotent by nature, so Create adopts an object that already exists. After an apply the provider waits
/// until the object is ready (<see cref="ReadinessAwaiter"/>). Outputs: <c>uid</c>, <c>live</c> (the live values
/// of the fields this program's field manager owns, from managedFields, plus fields of the manifest another
/// manager has taken) and <c>takenBy</c> (those managers). Status written by controllers is in neither, so it is
/// never drift. A manifest field whose live value differs is drift: the diff shows it and the update takes the field
/// back (force); any other conflict with another manager fails the apply and names the fields and managers.
/// </summary>
public sealed class KubernetesProvider(Func<IKubernetes> connect, AwaitOptions? awaitOptions = null) : IResourceProvider
{
    public const string FieldManager = "scylla-apocryph";

    /// <summary>Native sidecars (init containers with restartPolicy Always) are on by default from 1.29 (KEP-753).</summary>
    public static readonly Version NativeSidecarsSince = new(1, 29);

    private readonly Lazy<IKubernetes> _client = new(connect);
    private readonly AwaitOptions _await = awaitOptions ?? AwaitOptions.Default;
    private Task<Version?>? _serverVersion;

    /// <summary>Destroy deletes the stack's volume claims too (<c>destroy --delete-data</c>); see <see cref="NamespaceOwnership"/>.</summary>
    public bool DeleteData { get; set; }

    /// <summary>
    /// Asked per deleted namespace when <see cref="DeleteData"/> is off: under the Pulumi engine no flag reaches
    /// <c>pulumi destroy</c>, so the plugin asks <see cref="DataDeletionRequest.FromEnvironment"/>.
    /// </summary>
    public Func<Engine.Resources.Urn, bool>? DeleteDataOf { get; set; }

    /// <summary>A provider for one kubeconfig context; nothing connects until the first call that needs the API.</summary>
    public static KubernetesProvider ForContext(string context, string? kubeconfig, AwaitOptions? awaitOptions = null) => new(() =>
        new k8s.Kubernetes(KubeconfigFiles.Configuration(context, kubeconfig, Environment.GetEnvironmentVariable)), awaitOptions);

    public static string TypeFor(string apiVersion, string kind) => $"kubernetes:{(apiVersion.Contains('/') ? apiVersion : "core/" + apiVersion)}:{kind}";

    public async Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var failures = new List<CheckFailure>();
        foreach (var key in new[] { "apiVersion", "kind", "name" })
            if (request.News.GetString(key) is null) failures.Add(new CheckFailure(key, "is required"));
        if (request.News.GetString("kind") is { } kind && !Kinds.Supported.ContainsKey(kind))
            failures.Add(new CheckFailure("kind", $"'{kind}' is not supported (supported: {string.Join(", ", Kinds.Supported.Keys)})"));
        if (request.News.Get("manifest") is null) failures.Add(new CheckFailure("manifest", "is required"));
        if (request.News.Get("awaitTimeoutSeconds") is { } t && t.AsNumber is not > 0)
            failures.Add(new CheckFailure("awaitTimeoutSeconds", "must be a positive number of seconds"));
        if (failures.Count == 0 && NativeSidecars(request.News) is { Count: > 0 } sidecars
            && await ServerVersionAsync(cancellationToken) is { } version && version < NativeSidecarsSince)
            failures.Add(new CheckFailure("manifest",
                $"the init container(s) {string.Join(", ", sidecars)} run as native sidecars (restartPolicy: Always), which need Kubernetes " +
                $"{NativeSidecarsSince.Major}.{NativeSidecarsSince.Minor} or later; this cluster's API server is {version.Major}.{version.Minor}"));
        return new CheckResult(request.News, failures);
    }

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        var byInputs = DiffResult.ByInputs(request.OldInputs, request.NewInputs, "apiVersion", "kind", "namespace", "name");
        // Drift: the live object (as the last read saw it) no longer holds what this program last applied.
        var drift = Drift(request.OldInputs, request.OldOutputs);
        if (drift.Count == 0 || byInputs.ReplaceKeys.Count > 0) return Task.FromResult(byInputs);
        var taken = request.OldOutputs.GetString("takenBy") is { Length: > 0 } by ? $" (changed by {by})" : "";
        return Task.FromResult(new DiffResult(true, byInputs.Changes ? byInputs.ChangedKeys : ["manifest"], [],
            Notes: [$"repairs drift{taken}: {string.Join(", ", drift)}"]));
    }

    public async Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken)
    {
        var target = Target(request.Inputs);
        var isNamespace = target.Kind == "Namespace";
        var existed = isNamespace && await NamespaceOwnership.ExistsAsync(_client.Value, target.Name, cancellationToken);
        var applied = await ApplyAsync(target, request.Inputs, force: false, cancellationToken);
        await AwaitAsync(target, request.Inputs, cancellationToken);
        var outputs = Outputs(applied, request.Inputs);
        return new CreateResult(Id(target.Namespace, target.Name), isNamespace ? outputs.With(NamespaceOwnership.CreatedByStack, !existed) : outputs);
    }

    public async Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        var target = Target(request.Inputs);
        try
        {
            var live = await target.Ops.Read(_client.Value, target.Name, target.Namespace, cancellationToken);
            return new ReadResult(request.Id, KeepRecorded(Outputs(live, request.Inputs), request.Outputs));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken)
    {
        var target = Target(request.NewInputs);
        // Force only to take back what the plan showed as drift; any other conflict is the user's to resolve.
        var repair = Drift(request.OldInputs, request.OldOutputs).Count > 0;
        var applied = await ApplyAsync(target, request.NewInputs, repair, cancellationToken);
        await AwaitAsync(target, request.NewInputs, cancellationToken);
        return new UpdateResult(KeepRecorded(Outputs(applied, request.NewInputs), request.OldOutputs));
    }

    public async Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken)
    {
        var target = Target(request.Inputs);
        if (target.Kind == "Namespace")
        {
            // State written before ownership was recorded has no flag: such a namespace is kept, the safe side.
            var created = request.Outputs.Get(NamespaceOwnership.CreatedByStack)?.AsBool == true;
            await NamespaceOwnership.DeleteAsync(_client.Value, target.Name, created, DeleteData || DeleteDataOf?.Invoke(request.Urn) == true, cancellationToken);
            return;
        }
        try
        {
            await target.Ops.Delete(_client.Value, target.Name, target.Namespace, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // already gone
        }
    }

    /// <summary>An object's id is its namespace and name, which the inputs hold: read it to see if it was created.</summary>
    public async Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken)
    {
        var target = Target(request.Inputs);
        var read = await ReadAsync(new ReadRequest(request.Urn, request.Type, Id(target.Namespace, target.Name), request.Inputs, PropertyMap.Empty), cancellationToken);
        return read is null ? FindResult.Absent : FindResult.Found(read.Id, read.Outputs);
    }

    private sealed record TargetObject(Kinds.Operations Ops, string Kind, string Name, string? Namespace);

    private static TargetObject Target(PropertyMap inputs) =>
        new(Kinds.Supported[inputs.GetString("kind")!], inputs.GetString("kind")!, inputs.GetString("name")!, inputs.GetString("namespace"));

    private async Task<IMetadata<V1ObjectMeta>> ApplyAsync(TargetObject target, PropertyMap inputs, bool force, CancellationToken cancellationToken)
    {
        try
        {
            return await target.Ops.Apply(_client.Value, new V1Patch(Manifest(inputs), V1Patch.PatchType.ApplyPatch), target.Name, target.Namespace, force, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new InvalidOperationException(
                $"{StatusMessage(e)}. Another field manager changed fields this program applies: run refresh to see the drift, then up takes them back");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && target.Namespace is not null)
        {
            throw new InvalidOperationException($"cannot apply {target.Kind} {target.Namespace}/{target.Name}: {StatusMessage(e)}");
        }
    }

    private async Task AwaitAsync(TargetObject target, PropertyMap inputs, CancellationToken cancellationToken)
    {
        if (inputs.Get("skipAwait")?.AsBool == true || !ReadinessAwaiter.Awaits(target.Kind)) return;
        var timeout = inputs.Get("awaitTimeoutSeconds")?.AsNumber is { } seconds ? TimeSpan.FromSeconds(seconds) : ReadinessAwaiter.DefaultTimeout;
        await new ReadinessAwaiter(_client.Value, _await).AwaitAsync(target.Kind, target.Name, target.Namespace, timeout, cancellationToken);
    }

    private static string StatusMessage(HttpOperationException e)
    {
        try
        {
            return JsonNode.Parse(e.Response.Content)?["message"]?.GetValue<string>() ?? e.Message;
        }
        catch (System.Text.Json.JsonException)
        {
            return e.Message;
        }
    }

    private static string Manifest(PropertyMap inputs) => inputs.Get("manifest")!.Reveal().AsString!;

    private static JsonObject ManifestJson(PropertyMap inputs) => JsonNode.Parse(Manifest(inputs))!.AsObject();

    /// <summary>Manifest fields whose live value (as last read) differs; nothing when no live view was recorded.</summary>
    private static IReadOnlyList<string> Drift(PropertyMap inputs, PropertyMap outputs)
    {
        if (outputs.Get("live")?.Reveal().AsString is not { } live || inputs.Get("manifest")?.ContainsUnknowns != false) return [];
        return OwnedFields.Drift(ManifestJson(inputs), JsonNode.Parse(live)!.AsObject());
    }

    private static string Id(string? ns, string name) => ns is null ? name : $"{ns}/{name}";

    private static PropertyMap Outputs(IMetadata<V1ObjectMeta> o, PropertyMap inputs)
    {
        var json = JsonNode.Parse(KubernetesJson.Serialize(o))!.AsObject();
        var (live, takenBy) = OwnedFields.View(json, ManifestJson(inputs), FieldManager);
        PropertyValue liveValue = live.ToJsonString();
        // A Secret's data is key material: its live view is as secret as its manifest.
        if (inputs.Get("manifest")!.ContainsSecrets) liveValue = PropertyValue.Secret(liveValue);
        return PropertyMap.Of(("uid", o.Metadata?.Uid ?? ""), ("live", liveValue), ("takenBy", string.Join(", ", takenBy)));
    }

    /// <summary>Outputs computed from the live object.</summary>
    private static readonly string[] LiveOutputs = ["uid", "live", "takenBy", "resourceVersion"];

    /// <summary>Keeps what only a create could know (such as whether it made the object) across reads and updates;
    /// resourceVersion, which an older state recorded, is dropped: every status write changes it.</summary>
    private static PropertyMap KeepRecorded(PropertyMap fresh, PropertyMap recorded) =>
        recorded.Where(kv => !LiveOutputs.Contains(kv.Key)).Aggregate(fresh, (map, kv) => map.With(kv.Key, kv.Value));

    /// <summary>Names of init containers that keep running beside the main ones (restartPolicy: Always).</summary>
    private static List<string> NativeSidecars(PropertyMap inputs)
    {
        if (inputs.Get("manifest")?.Reveal().AsString is not { } text || inputs.GetString("kind") is not ("StatefulSet" or "DaemonSet")) return [];
        var init = JsonNode.Parse(text)?["spec"]?["template"]?["spec"]?["initContainers"] as JsonArray ?? [];
        return [.. init.Where(c => c?["restartPolicy"]?.GetValue<string>() == "Always").Select(c => c!["name"]!.GetValue<string>())];
    }

    /// <summary>The API server's version (GET /version), asked once. Unknown when the cluster cannot be reached:
    /// reaching it is not this check's business, and the apply reports it.</summary>
    private Task<Version?> ServerVersionAsync(CancellationToken cancellationToken) => _serverVersion ??= FetchVersion(cancellationToken);

    private async Task<Version?> FetchVersion(CancellationToken cancellationToken)
    {
        try
        {
            var info = await _client.Value.Version.GetCodeAsync(cancellationToken);
            return ParseVersion(info.GitVersion);
        }
        catch (Exception e) when (e is HttpRequestException or HttpOperationException or k8s.Exceptions.KubeConfigException or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>"v1.28.3", "v1.29.0-gke.1" -> 1.28.3 / 1.29.0.</summary>
    public static Version? ParseVersion(string? gitVersion)
    {
        if (gitVersion is null) return null;
        var core = new string(gitVersion.TrimStart('v').TakeWhile(c => char.IsDigit(c) || c == '.').ToArray()).TrimEnd('.');
        return Version.TryParse(core, out var v) ? v : null;
    }
}
