using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using YamlDotNet.Serialization;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// A Kubernetes API server in an HTTP handler, following the documented behaviour the provider relies on:
/// server-side apply (PATCH, content type application/apply-patch+yaml, fieldManager required) creates or updates
/// the object named by the URL and answers with it, adding uid and resourceVersion; GET answers 404 for a missing
/// object; DELETE answers 404 for a missing object, and with the deleted Service (services) or a Status (other
/// kinds) otherwise. GET on a collection answers a list of the objects in it (an empty list if there are none),
/// filtered by an equality <c>labelSelector</c>; deleting a namespace deletes every object in it, as the namespace
/// lifecycle controller does (kubernetes.io docs, "Namespaces": deleting a namespace deletes everything under it).
/// Every request is recorded.
/// </summary>
public sealed class FakeKubernetesApi : DelegatingHandler
{
    private long _version;

    public ConcurrentDictionary<string, JsonObject> Objects { get; } = new();

    public ConcurrentQueue<(string Method, string Path, string Query, string? ContentType, string? Body)> Requests { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await Answer(request, cancellationToken);
        response.RequestMessage = request;
        return response;
    }

    private async Task<HttpResponseMessage> Answer(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var query = HttpUtility.ParseQueryString(request.RequestUri.Query);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Enqueue((request.Method.Method, path, request.RequestUri.Query, request.Content?.Headers.ContentType?.MediaType, body));

        if (request.Method == HttpMethod.Patch)
        {
            if (request.Content!.Headers.ContentType?.MediaType != "application/apply-patch+yaml")
                return Status(HttpStatusCode.UnsupportedMediaType, "only server-side apply is served here");
            if (string.IsNullOrEmpty(query["fieldManager"]))
                return Status(HttpStatusCode.BadRequest, "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
            var applied = ToJson(body!);
            if (applied["metadata"]?["name"]?.GetValue<string>() != path.Split('/')[^1])
                return Status(HttpStatusCode.BadRequest, "the name of the object does not match the name on the URL");
            var existed = Objects.TryGetValue(path, out var old);
            var meta = applied["metadata"]!.AsObject();
            meta["uid"] = old?["metadata"]?["uid"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
            meta["resourceVersion"] = Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Objects[path] = applied;
            return Json(existed ? HttpStatusCode.OK : HttpStatusCode.Created, applied);
        }
        if (request.Method == HttpMethod.Get && Collections.Contains(path.Split('/')[^1]))
            return Json(HttpStatusCode.OK, List(path, query["labelSelector"]));
        if (request.Method == HttpMethod.Get)
            return Objects.TryGetValue(path, out var found) ? Json(HttpStatusCode.OK, found) : Status(HttpStatusCode.NotFound, $"\"{path.Split('/')[^1]}\" not found");
        if (request.Method == HttpMethod.Delete)
        {
            if (!Objects.TryRemove(path, out var deleted)) return Status(HttpStatusCode.NotFound, $"\"{path.Split('/')[^1]}\" not found");
            if (path.StartsWith("/api/v1/namespaces/", StringComparison.Ordinal) && path.Count(c => c == '/') == 4)
                foreach (var key in Objects.Keys.Where(k => k.Contains($"/namespaces/{path.Split('/')[^1]}/", StringComparison.Ordinal)))
                    Objects.TryRemove(key, out _);
            // As in the API's OpenAPI: deleting a Service or a PersistentVolumeClaim answers with the object, other kinds with a Status.
            return path.Contains("/services/", StringComparison.Ordinal) || path.Contains("/persistentvolumeclaims/", StringComparison.Ordinal)
                ? Json(HttpStatusCode.OK, deleted) : Status(HttpStatusCode.OK, "deleted");
        }
        return Status(HttpStatusCode.MethodNotAllowed, "not served by this double");
    }

    // The plural resource names of the kinds served here: the last segment of a collection's path.
    private static readonly HashSet<string> Collections =
        ["persistentvolumeclaims", "pods", "services", "configmaps", "secrets", "statefulsets", "deployments", "poddisruptionbudgets"];

    private JsonObject List(string collection, string? labelSelector)
    {
        var wanted = (labelSelector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => t.Split('=', 2)).ToList();
        var items = new JsonArray();
        foreach (var (key, item) in Objects.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            if (!key.StartsWith(collection + "/", StringComparison.Ordinal) || key[(collection.Length + 1)..].Contains('/')) continue;
            var labels = item["metadata"]?["labels"]?.AsObject();
            if (wanted.All(w => labels?[w[0]]?.GetValue<string>() == w[1])) items.Add(item.DeepClone());
        }
        return new JsonObject { ["kind"] = "List", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["items"] = items };
    }

    private static JsonObject ToJson(string yaml)
    {
        if (yaml.TrimStart().StartsWith('{')) return JsonNode.Parse(yaml)!.AsObject();
        var data = new DeserializerBuilder().Build().Deserialize<object>(yaml);
        var json = new SerializerBuilder().JsonCompatible().Build().Serialize(data);
        return JsonNode.Parse(json)!.AsObject();
    }

    private static HttpResponseMessage Json(HttpStatusCode code, JsonNode body) =>
        new(code) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Status(HttpStatusCode code, string message) =>
        new(code)
        {
            Content = new StringContent(JsonSerializer.Serialize(new { kind = "Status", apiVersion = "v1", status = (int)code < 300 ? "Success" : "Failure", message, code = (int)code }),
                Encoding.UTF8, "application/json"),
        };
}
