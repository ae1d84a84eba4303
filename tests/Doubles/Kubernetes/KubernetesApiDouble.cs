using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;
using k8s;
using YamlDotNet.Serialization;

namespace ScyllaApocryph.Tests.Doubles.Kubernetes;

/// <summary>
/// A Kubernetes API server inside an HTTP handler that KubernetesClient talks to. It keeps the documented
/// semantics this project's objects touch; each rule cites where Kubernetes documents it:
/// <list type="bullet">
/// <item>Server-side apply (PATCH application/apply-patch+yaml): fieldManager required; managedFields record the
/// fields each manager owns; applying a field another manager owns with a different value is a 409 conflict
/// unless force=true, which moves ownership; fields a manager applied before and no longer applies are removed
/// unless another manager owns them; associative lists merge by key
/// (https://kubernetes.io/docs/reference/using-api/server-side-apply/ "Conflicts", "Merge strategy").</item>
/// <item>Update (PUT): the manager takes ownership of the fields it changed, and other managers lose them (same page,
/// "Field management"); optimistic concurrency on metadata.resourceVersion, 409 on a stale one
/// (https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions, "Efficient detection of changes").</item>
/// <item>An object in a namespace that does not exist is 404; new objects in a namespace that is terminating are
/// 403 (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/, namespace lifecycle admission).</item>
/// <item>Deletion: an object with finalizers gets a deletionTimestamp and stays (Terminating) until they are gone;
/// dependents named by ownerReferences are garbage collected in the background
/// (https://kubernetes.io/docs/concepts/overview/working-with-objects/finalizers/,
/// https://kubernetes.io/docs/concepts/architecture/garbage-collection/).</item>
/// <item>Status is a subresource: status sent to the main resource is ignored, and metadata.generation counts
/// spec changes (https://kubernetes.io/docs/reference/using-api/api-concepts/ and the status subresource
/// of the built-in workload kinds).</item>
/// <item>Objects are checked against the KubernetesClient models: a value of the wrong type is 400; an unknown
/// field is a warning (the server's default fieldValidation=Warn) or 400 with fieldValidation=Strict
/// (https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation).</item>
/// </list>
/// Controllers (namespace, garbage collector, StatefulSet, scheduler and kubelet, volume binding, endpoints) run in
/// <see cref="ClusterControllers"/> before every request answers, against <see cref="Time"/>.
/// </summary>
public sealed class KubernetesApiDouble : DelegatingHandler
{
    internal readonly object Gate = new();
    internal readonly Dictionary<ObjectKey, JsonObject> Store = [];
    private long _resourceVersion;
    private long _uid;
    private readonly ClusterControllers _controllers;

    private readonly ITimer _tick;

    public KubernetesApiDouble(TimeProvider time)
    {
        Time = time;
        _controllers = new ClusterControllers(this);
        // Controllers also act as time passes, not only when someone asks: once a virtual second.
        _tick = time.CreateTimer(_ => Reconcile(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _tick.Dispose();
        base.Dispose(disposing);
    }

    public TimeProvider Time { get; }

    /// <summary>What the kubelet does with each pod, by pod name (default: Ready 20 s after it is created).</summary>
    public Func<string, PodScript> Kubelet { get; set; } = _ => PodScript.ReadyAfter(TimeSpan.FromSeconds(20));

    /// <summary>Storage classes and their volumeBindingMode; minikube's default class binds at once.</summary>
    public Dictionary<string, string> StorageClasses { get; } = new() { ["standard"] = "Immediate" };

    public string DefaultStorageClass { get; set; } = "standard";

    /// <summary>The /version answer's gitVersion.</summary>
    public string ServerVersion { get; set; } = "v1.31.0";

    public List<string> Warnings { get; } = [];

    public List<(string Method, string Path, string Query, string? Body)> Requests { get; } = [];

    // ------------------------------------------------------------------ test-side access

    public JsonObject? Get(string kind, string? ns, string name)
    {
        lock (Gate)
        {
            _controllers.Reconcile();
            return Store.TryGetValue(new ObjectKey(kind, ns, name), out var o) ? (JsonObject)o.DeepClone() : null;
        }
    }

    public bool Exists(string kind, string? ns, string name) => Get(kind, ns, name) is not null;

    public IReadOnlyList<ObjectKey> Keys(string? kind = null)
    {
        lock (Gate)
        {
            _controllers.Reconcile();
            return [.. Store.Keys.Where(k => kind is null || k.Kind == kind).OrderBy(k => k.ToString(), StringComparer.Ordinal)];
        }
    }

    /// <summary>An Update by another manager, as kubectl edit or kubectl scale send it.</summary>
    public void UpdateAs(string manager, string kind, string? ns, string name, Action<JsonObject> edit)
    {
        lock (Gate)
        {
            var live = Store[new ObjectKey(kind, ns, name)];
            var changed = (JsonObject)live.DeepClone();
            edit(changed);
            var answer = UpdateLocked(ApiResource.OfKind(kind), ns, name, changed, manager);
            if (answer.Code >= 300) throw new InvalidOperationException(answer.Body.ToJsonString());
        }
    }

    /// <summary>A server-side apply by another manager (YAML or JSON), as kubectl apply --server-side sends it.</summary>
    public (int Code, JsonObject Body) ApplyAs(string manager, string kind, string? ns, string name, string config, bool force = false)
    {
        lock (Gate) return ApplyLocked(ApiResource.OfKind(kind), ns, name, ToJson(config), manager, force, strict: true);
    }

    /// <summary>Runs the controllers once more (every request does so too).</summary>
    public void Reconcile()
    {
        lock (Gate) _controllers.Reconcile();
    }

    // ------------------------------------------------------------------ HTTP

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        HttpResponseMessage response;
        lock (Gate)
        {
            Requests.Add((request.Method.Method, request.RequestUri!.AbsolutePath, request.RequestUri.Query, body));
            _controllers.Reconcile();
            var (code, json) = Answer(request, body);
            response = new HttpResponseMessage((HttpStatusCode)code)
            {
                Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json"),
                RequestMessage = request,
            };
        }
        return response;
    }

    private (int Code, JsonObject Body) Answer(HttpRequestMessage request, string? body)
    {
        var path = request.RequestUri!.AbsolutePath.TrimEnd('/');
        var query = HttpUtility.ParseQueryString(request.RequestUri.Query);
        if (path == "/version")
        {
            var v = ServerVersion.TrimStart('v').Split('.');
            return (200, new JsonObject { ["major"] = v[0], ["minor"] = v[1], ["gitVersion"] = ServerVersion, ["platform"] = "linux/amd64" });
        }
        if (!Route(path, out var resource, out var ns, out var name, out var sub))
            return Status(404, "NotFound", $"the server could not find the requested resource ({path})");
        if (sub is not null) return Status(405, "MethodNotAllowed", $"subresource {sub} is not served by this double");

        var method = request.Method.Method;
        if (name is null)
            return method == "GET" ? List(resource, ns, query["labelSelector"], query["fieldSelector"]) : Status(405, "MethodNotAllowed", "not served by this double");
        switch (method)
        {
            case "GET":
                return Store.TryGetValue(new ObjectKey(resource.Kind, ns, name), out var found) ? (200, (JsonObject)found.DeepClone()) : NotFound(resource, name);
            case "PATCH":
                if (request.Content?.Headers.ContentType?.MediaType != "application/apply-patch+yaml")
                    return Status(415, "UnsupportedMediaType", "only server-side apply patches are served by this double");
                if (string.IsNullOrEmpty(query["fieldManager"]))
                    return Status(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
                return ApplyLocked(resource, ns, name, ToJson(body!), query["fieldManager"]!, query["force"] == "true", query["fieldValidation"] == "Strict");
            case "PUT":
                return UpdateLocked(resource, ns, name, ToJson(body!), query["fieldManager"] ?? UserAgentManager(request));
            case "DELETE":
                var options = string.IsNullOrEmpty(body) ? null : JsonNode.Parse(body)?.AsObject();
                return DeleteLocked(new ObjectKey(resource.Kind, ns, name), options?["propagationPolicy"]?.GetValue<string>() ?? "Background");
            default:
                return Status(405, "MethodNotAllowed", "not served by this double");
        }
    }

    /// <summary>Without fieldManager, an update's manager is the client's user agent up to its first '/'.</summary>
    private static string UserAgentManager(HttpRequestMessage request) =>
        request.Headers.UserAgent.ToString().Split('/')[0] is { Length: > 0 } agent ? agent : "unknown";

    private static bool Route(string path, out ApiResource resource, out string? ns, out string? name, out string? sub)
    {
        resource = null!;
        ns = name = sub = null;
        var prefix = ApiResource.All.Select(r => r.Prefix).Distinct().FirstOrDefault(p => path.StartsWith(p + "/", StringComparison.Ordinal));
        if (prefix is null) return false;
        var parts = path[(prefix.Length + 1)..].Split('/');
        var i = 0;
        if (parts.Length >= 3 && parts[0] == "namespaces")
        {
            ns = parts[1];
            i = 2;
        }
        var plural = parts[i];
        var match = ApiResource.All.FirstOrDefault(r => r.Prefix == prefix && r.Plural == plural);
        if (match is null || match.Namespaced != (ns is not null)) return false;
        resource = match;
        name = parts.Length > i + 1 ? parts[i + 1] : null;
        sub = parts.Length > i + 2 ? parts[i + 2] : null;
        return true;
    }

    private (int, JsonObject) List(ApiResource resource, string? ns, string? labelSelector, string? fieldSelector)
    {
        var labels = Selector(labelSelector);
        var fields = Selector(fieldSelector);
        var items = new JsonArray();
        foreach (var (key, o) in Store.OrderBy(kv => kv.Key.Name, StringComparer.Ordinal))
        {
            if (key.Kind != resource.Kind || (ns is not null && key.Namespace != ns)) continue;
            if (!labels.All(l => o["metadata"]?["labels"]?[l.Key]?.GetValue<string>() == l.Value)) continue;
            if (!fields.All(f => FieldPaths.Get(o, string.Join(FieldPaths.Separator, f.Key.Split('.').Select(e => "f:" + e)))?.GetValue<string>() == f.Value)) continue;
            var item = (JsonObject)o.DeepClone();
            item.Remove("apiVersion"); // list items carry no kind or apiVersion of their own
            item.Remove("kind");
            items.Add(item);
        }
        return (200, new JsonObject
        {
            ["kind"] = resource.Kind + "List", ["apiVersion"] = resource.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["items"] = items,
        });
    }

    private static Dictionary<string, string> Selector(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim());

    // ------------------------------------------------------------------ verbs

    internal (int Code, JsonObject Body) ApplyLocked(ApiResource resource, string? ns, string name, JsonObject config, string manager, bool force, bool strict)
    {
        if (config["metadata"]?["name"]?.GetValue<string>() != name)
            return Status(400, "BadRequest", "the name of the object (" + config["metadata"]?["name"] + ") does not match the name on the URL (" + name + ")");
        if (config["kind"]?.GetValue<string>() != resource.Kind || config["apiVersion"]?.GetValue<string>() != resource.ApiVersion)
            return Status(400, "BadRequest", $"apply patch must name kind {resource.Kind} and apiVersion {resource.ApiVersion}");
        if (config["metadata"]?["namespace"]?.GetValue<string>() is { } bodyNs && bodyNs != ns)
            return Status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
        if (ModelCheck.Check(resource, config, strict, Warnings) is { } invalid) return invalid;

        var key = new ObjectKey(resource.Kind, ns, name);
        var configPaths = FieldPaths.Of(config);
        if (!Store.TryGetValue(key, out var live))
        {
            if (NamespaceRefuses(ns) is { } refused) return refused;
            var created = (JsonObject)config.DeepClone();
            created.Remove("status");
            if (ModelCheck.Required(resource, created) is { } missing) return missing;
            Create(resource, key, created, [Entry(manager, "Apply", resource, configPaths)]);
            return (201, (JsonObject)created.DeepClone());
        }

        if (config["metadata"]?["resourceVersion"]?.GetValue<string>() is { } rv && rv != Meta(live)["resourceVersion"]!.GetValue<string>())
            return ModifiedConflict(resource, name);

        var entries = ManagedEntries(live);
        var conflicts = new List<(string Path, string Manager)>();
        foreach (var entry in entries.Where(e => !(e.Manager == manager && e.Operation == "Apply") && e.Subresource is null))
            foreach (var p in entry.Paths.Intersect(configPaths))
                if (!FieldPaths.SameValue(FieldPaths.Get(live, p), FieldPaths.Get(config, p)) && !p.EndsWith(".", StringComparison.Ordinal))
                    conflicts.Add((p, entry.Manager));
        if (conflicts.Count > 0 && !force) return ApplyConflict(resource, conflicts);
        foreach (var entry in entries.Where(e => e.Manager != manager || e.Operation != "Apply"))
            entry.Paths.ExceptWith(conflicts.Where(c => c.Manager == entry.Manager).Select(c => c.Path));

        var next = (JsonObject)live.DeepClone();
        var mine = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Apply");
        if (mine is not null)
        {
            var others = entries.Where(e => e != mine).SelectMany(e => e.Paths).ToHashSet(StringComparer.Ordinal);
            foreach (var dropped in mine.Paths.Except(configPaths).Where(p => !others.Contains(p)).OrderByDescending(p => p.Length))
                FieldPaths.Remove(next, dropped);
            entries.Remove(mine);
        }
        var merged = (JsonObject)config.DeepClone();
        merged.Remove("status");
        FieldPaths.Merge(next, merged);
        if (ModelCheck.Required(resource, next) is { } invalidNext) return invalidNext;
        if (ModelCheck.Immutable(resource, live, next) is { } forbidden) return forbidden;
        entries.Add(Entry(manager, "Apply", resource, configPaths));
        Commit(resource, key, live, next, entries);
        return (200, (JsonObject)Store[key].DeepClone());
    }

    internal (int Code, JsonObject Body) UpdateLocked(ApiResource resource, string? ns, string name, JsonObject body, string manager)
    {
        var key = new ObjectKey(resource.Kind, ns, name);
        if (!Store.TryGetValue(key, out var live)) return NotFound(resource, name);
        if (ModelCheck.Check(resource, body, strict: false, Warnings) is { } invalid) return invalid;
        if (body["metadata"]?["resourceVersion"]?.GetValue<string>() is { Length: > 0 } rv && rv != Meta(live)["resourceVersion"]!.GetValue<string>())
            return ModifiedConflict(resource, name);
        var next = (JsonObject)body.DeepClone();
        // Identity, bookkeeping and (on kinds with the subresource) status are not the update's to change.
        var meta = Meta(next);
        foreach (var k in new[] { "uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp", "managedFields", "namespace", "name" })
            if (Meta(live)[k] is { } keep) meta[k] = keep.DeepClone(); else meta.Remove(k);
        if (resource.HasStatus)
        {
            if (live["status"] is { } status) next["status"] = status.DeepClone(); else next.Remove("status");
        }
        if (ModelCheck.Required(resource, next) is { } missing) return missing;
        if (ModelCheck.Immutable(resource, live, next) is { } forbidden) return forbidden;
        var before = FieldPaths.Of(live);
        var after = FieldPaths.Of(next);
        // A list item's "." path stands for the item's existence: editing a field inside it changes only that field.
        var changed = after.Where(p => !before.Contains(p)
            || (!p.EndsWith(FieldPaths.Separator + ".", StringComparison.Ordinal) && !FieldPaths.SameValue(FieldPaths.Get(live, p), FieldPaths.Get(next, p))))
            .ToHashSet(StringComparer.Ordinal);
        var removed = before.Except(after).ToHashSet(StringComparer.Ordinal);
        var entries = ManagedEntries(live);
        foreach (var e in entries.Where(e => e.Subresource is null)) e.Paths.ExceptWith(changed.Concat(removed));
        var own = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Update" && e.Subresource is null);
        if (own is null && changed.Count > 0) entries.Add(own = Entry(manager, "Update", resource, []));
        own?.Paths.UnionWith(changed);
        Commit(resource, key, live, next, entries);
        return (200, (JsonObject)Store[key].DeepClone());
    }

    internal (int Code, JsonObject Body) DeleteLocked(ObjectKey key, string propagation)
    {
        var resource = ApiResource.OfKind(key.Kind);
        if (!Store.TryGetValue(key, out var live)) return NotFound(resource, key.Name);
        var meta = Meta(live);
        var finalizers = (meta["finalizers"] as JsonArray)?.Count > 0 || (key.Kind == "Namespace" && (live["spec"]?["finalizers"] as JsonArray)?.Count > 0);
        if (finalizers || key.Kind == "Pod")
        {
            // Terminating: the object stays until its finalizers are removed (pods until the kubelet has stopped them).
            if (meta["deletionTimestamp"] is null)
            {
                var next = (JsonObject)live.DeepClone();
                Meta(next)["deletionTimestamp"] = Now();
                if (key.Kind == "Namespace") next["status"] = new JsonObject { ["phase"] = "Terminating" };
                Store[key] = next;
                Bump(next);
            }
            return (200, (JsonObject)Store[key].DeepClone());
        }
        Store.Remove(key);
        if (propagation == "Orphan")
            foreach (var dependent in Store.Values.Where(o => OwnedBy(o, meta["uid"]!.GetValue<string>())).ToList())
                (Meta(dependent)["ownerReferences"] as JsonArray)!.Clear();
        // As the OpenAPI says: deleting a Service answers with the Service, other kinds with a Status.
        return key.Kind == "Service" ? (200, live) : Status(200, null, "deleted");
    }

    internal static bool OwnedBy(JsonObject o, string uid) =>
        (Meta(o)["ownerReferences"] as JsonArray)?.Any(r => r?["uid"]?.GetValue<string>() == uid) == true;

    /// <summary>A write by a controller to the status subresource, recorded under its manager.</summary>
    internal void WriteStatus(ObjectKey key, JsonObject status, string manager)
    {
        var live = Store[key];
        if (FieldPaths.SameValue(live["status"], status)) return;
        var next = (JsonObject)live.DeepClone();
        next["status"] = status.DeepClone();
        var entries = ManagedEntries(live).Where(e => !(e.Manager == manager && e.Subresource == "status")).ToList();
        entries.Add(Entry(manager, "Update", ApiResource.OfKind(key.Kind), FieldPaths.OfStatus(next), "status"));
        Store[key] = next;
        SetManagedFields(next, entries);
        Bump(next);
    }

    /// <summary>A write a controller makes to an object's metadata or spec (finalizers, owner references).</summary>
    internal void WriteObject(ObjectKey key, JsonObject next)
    {
        Store[key] = next;
        Bump(next);
    }

    internal void Create(ApiResource resource, ObjectKey key, JsonObject created, List<ManagedEntry> entries)
    {
        var meta = Meta(created);
        meta["uid"] = $"00000000-0000-4000-8000-{Interlocked.Increment(ref _uid):D12}";
        meta["creationTimestamp"] = Now();
        if (key.Namespace is not null) meta["namespace"] = key.Namespace;
        if (resource.CountsGeneration) meta["generation"] = 1;
        Defaults.Apply(this, resource, created);
        SetManagedFields(created, entries);
        Store[key] = created;
        Bump(created);
    }

    private void Commit(ApiResource resource, ObjectKey key, JsonObject live, JsonObject next, List<ManagedEntry> entries)
    {
        SetManagedFields(next, entries);
        if (FieldPaths.SameValue(live, next)) return;
        if (resource.CountsGeneration && !FieldPaths.SameValue(live["spec"], next["spec"]))
            Meta(next)["generation"] = long.Parse(Meta(live)["generation"]!.ToJsonString(), CultureInfo.InvariantCulture) + 1;
        Store[key] = next;
        Bump(next);
    }

    private void Bump(JsonObject o) => Meta(o)["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);

    internal string Now() => Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private (int, JsonObject)? NamespaceRefuses(string? ns)
    {
        if (ns is null) return null;
        if (!Store.TryGetValue(new ObjectKey("Namespace", null, ns), out var nsObject))
            return Status(404, "NotFound", $"namespaces \"{ns}\" not found", new JsonObject { ["name"] = ns, ["kind"] = "namespaces" });
        if (Meta(nsObject)["deletionTimestamp"] is not null)
            return Status(403, "Forbidden", $"unable to create new content in namespace {ns} because it is being terminated");
        return null;
    }

    // ------------------------------------------------------------------ managedFields

    internal sealed record ManagedEntry(string Manager, string Operation, string ApiVersion, string? Subresource, HashSet<string> Paths, string Time);

    internal ManagedEntry Entry(string manager, string operation, ApiResource resource, HashSet<string> paths, string? subresource = null) =>
        new(manager, operation, resource.ApiVersion, subresource, new HashSet<string>(paths, StringComparer.Ordinal), Now());

    internal static List<ManagedEntry> ManagedEntries(JsonObject o) =>
        (Meta(o)["managedFields"] as JsonArray ?? []).Select(e => new ManagedEntry(
            e!["manager"]!.GetValue<string>(), e["operation"]!.GetValue<string>(), e["apiVersion"]!.GetValue<string>(),
            e["subresource"]?.GetValue<string>(), FieldPaths.FromFieldsV1(e["fieldsV1"]!.AsObject()), e["time"]!.GetValue<string>())).ToList();

    private static void SetManagedFields(JsonObject o, IEnumerable<ManagedEntry> entries)
    {
        var array = new JsonArray();
        foreach (var e in entries.Where(e => e.Paths.Count > 0))
        {
            var entry = new JsonObject
            {
                ["manager"] = e.Manager, ["operation"] = e.Operation, ["apiVersion"] = e.ApiVersion, ["time"] = e.Time,
                ["fieldsType"] = "FieldsV1", ["fieldsV1"] = FieldPaths.ToFieldsV1(e.Paths),
            };
            if (e.Subresource is not null) entry["subresource"] = e.Subresource;
            array.Add(entry);
        }
        Meta(o)["managedFields"] = array;
    }

    internal static JsonObject Meta(JsonObject o) => o["metadata"] as JsonObject ?? (JsonObject)(o["metadata"] = new JsonObject());

    // ------------------------------------------------------------------ answers

    private static (int, JsonObject) ApplyConflict(ApiResource resource, List<(string Path, string Manager)> conflicts)
    {
        // The API server's wording (k8s.io/apiserver fieldmanager: "Apply failed with N conflict(s): ...").
        var causes = new JsonArray();
        foreach (var c in conflicts)
            causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with \"{c.Manager}\" using {resource.ApiVersion}", ["field"] = FieldPaths.Display(c.Path) });
        // k8s.io/apiserver pkg/endpoints/handlers/fieldmanager (conflict.go, getConflictMessage): one conflict on one
        // line, several grouped by manager.
        var message = conflicts.Count == 1
            ? $"Apply failed with 1 conflict: conflict with \"{conflicts[0].Manager}\" using {resource.ApiVersion}: {FieldPaths.Display(conflicts[0].Path)}"
            : $"Apply failed with {conflicts.Count} conflicts: " + string.Join("\n", conflicts.GroupBy(c => c.Manager).Select(g =>
                $"conflicts with \"{g.Key}\" using {resource.ApiVersion}:\n" + string.Join("\n", g.Select(c => "- " + FieldPaths.Display(c.Path)))));
        return Status(409, "Conflict", message, new JsonObject { ["causes"] = causes });
    }

    private static (int, JsonObject) ModifiedConflict(ApiResource resource, string name) =>
        Status(409, "Conflict", $"Operation cannot be fulfilled on {resource.Plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");

    private static (int, JsonObject) NotFound(ApiResource resource, string name) =>
        Status(404, "NotFound", $"{resource.Plural} \"{name}\" not found", new JsonObject { ["name"] = name, ["kind"] = resource.Plural });

    internal static (int, JsonObject) Status(int code, string? reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(),
            ["status"] = code < 300 ? "Success" : "Failure", ["message"] = message, ["code"] = code,
        };
        if (reason is not null) status["reason"] = reason;
        if (details is not null) status["details"] = details;
        return (code, status);
    }

    internal static JsonObject ToJson(string yaml)
    {
        if (yaml.TrimStart().StartsWith('{')) return JsonNode.Parse(yaml)!.AsObject();
        var data = new DeserializerBuilder().Build().Deserialize<object>(yaml);
        return JsonNode.Parse(new SerializerBuilder().JsonCompatible().Build().Serialize(data))!.AsObject();
    }

    /// <summary>A client for this double (the handler is the whole server).</summary>
    public IKubernetes Client() => new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://kubernetes.test" }, this);
}
