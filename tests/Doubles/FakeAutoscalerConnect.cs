using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// Apocryph Autoscaler instances behind their providers' ingresses, answering Connect calls
/// (POST {base}/apocryph.proto.v0.autoscaler.AutoscalerService/{ConnectCluster|TriggerNode}, JSON) as upstream's
/// pkg/autoscaler/server.go does at comrade-coop/apocryph 4bbf371:
/// <list type="bullet">
/// <item>the ingress routes only <c>Host: autoscaler.local</c> to the pod (the autoscaler manifest's
/// <c>hostHttpHost</c>, test/e2e/common/manifests/manifest-autoscaler.yaml); any other host gets the ingress's 404;</item>
/// <item><c>TriggerNode</c> always answers the instance's peer id; an instance not started yet starts (bootstraps its
/// Raft node in the background from the request) and counts as started from then on;</item>
/// <item><c>ConnectCluster</c> on a started instance answers <c>success: false</c>, "Server Already Started\n". Otherwise
/// it calls TriggerNode on every server (itself included when listed; unreachable ones are skipped), turns each answer
/// into <c>/ip4/&lt;ip&gt;/tcp/32500/p2p/&lt;peer&gt;</c> (GetMultiAddr: the URL's host split on ':' into exactly two
/// parts, and only an IPv4 literal parses under /ip4), and bootstraps Raft with those peers; hashicorp/raft refuses
/// an empty configuration ("need at least one voter in configuration"). A failure answers <c>success: false</c> with
/// "Failed Bootstraping Cluster: ..." and leaves the instance not started; success marks it started.</item>
/// </list>
/// Leader election is not modelled: a bootstrap with peers succeeds.
/// </summary>
public sealed class FakeAutoscalerConnect : HttpMessageHandler
{
    private const string Prefix = "/apocryph.proto.v0.autoscaler.AutoscalerService/";
    private const string IngressHost = "autoscaler.local";
    private readonly Dictionary<string, Instance> _instances = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    /// <param name="instances">Where instances answer, as base URLs (<c>http://10.0.0.1:30080</c>, optionally with a path).</param>
    public FakeAutoscalerConnect(params string[] instances)
    {
        foreach (var (url, i) in instances.Select((u, i) => (u, i)))
            _instances[Key(new Uri(url))] = new Instance($"12D3KooWfake{i + 1}");
    }

    /// <summary>Every request that reached an instance: method, URL and Host header.</summary>
    public List<(string Method, Uri Url, string? Host)> Requests { get; } = [];

    public List<JsonElement> ConnectCalls { get; } = [];

    /// <summary>Whether the instance at this base URL has started (by ConnectCluster or TriggerNode).</summary>
    public bool Started(string baseUrl)
    {
        lock (_gate) return _instances[Key(new Uri(baseUrl))].Started;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!;
        var path = url.AbsolutePath;
        var at = path.IndexOf(Prefix, StringComparison.Ordinal);
        Instance? instance;
        lock (_gate)
        {
            if (!_instances.TryGetValue(Key(url, at < 0 ? path : path[..at]), out instance))
                throw new HttpRequestException($"connection refused: nothing listens at {url.GetLeftPart(UriPartial.Authority)}");
        }
        var host = request.Headers.Host;
        if (host != IngressHost)
            return new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("default backend - 404") };
        if (request.Method != HttpMethod.Post || at < 0) return Error(HttpStatusCode.NotFound, "unimplemented", path);
        if (request.Content?.Headers.ContentType?.MediaType != "application/json")
            return new HttpResponseMessage(HttpStatusCode.UnsupportedMediaType);
        var body = await request.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var method = path[(at + Prefix.Length)..];
        lock (_gate)
        {
            Requests.Add((method, url, host));
            switch (method)
            {
                case "ConnectCluster":
                    ConnectCalls.Add(body);
                    return Json(ConnectCluster(instance, body));
                case "TriggerNode":
                    instance.Started = true;
                    return Json(new { peerID = instance.PeerId });
                default:
                    return Error(HttpStatusCode.NotFound, "unimplemented", path);
            }
        }
    }

    private object ConnectCluster(Instance self, JsonElement body)
    {
        if (self.Started) return new { success = false, error = "Server Already Started\n" };
        var servers = body.TryGetProperty("servers", out var s) ? s.EnumerateArray().Select(e => e.GetString() ?? "").ToList() : [];
        var peers = new List<string>();
        foreach (var server in servers)
        {
            // FetchPeerIDsFromServers: a server that cannot be called is logged and skipped.
            if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) continue;
            if (!_instances.TryGetValue(Key(uri), out var other)) continue;
            other.Started = true; // its TriggerNode starts it
            var parts = GoUrlHost(server).Split(':');
            if (parts.Length != 2) return Failed($"Failed to parse server address: {server}");
            if (!IPAddress.TryParse(parts[0], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
                || parts[0].Split('.').Length != 4)
                return Failed($"Failed to parse multiaddr: /ip4/{parts[0]}/tcp/32500/p2p/{other.PeerId}: failed to parse multiaddr");
            peers.Add(other.PeerId);
        }
        if (peers.Count == 0)
            return Failed("Failed Creating Raft Node Failed bootstraping cluster: need at least one voter in configuration: {[]}\n");
        self.Started = true;
        return new { success = true };
    }

    /// <summary>Go's url.Parse(...).Host: what lies between "//" (after any user info) and the path.</summary>
    private static string GoUrlHost(string url)
    {
        var authority = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..].Split('/', '?', '#')[0];
        return authority[(authority.LastIndexOf('@') + 1)..];
    }

    private static object Failed(string reason) => new { success = false, error = $"Failed Bootstraping Cluster: {reason}\n" };

    private static string Key(Uri url, string? path = null) =>
        $"{url.Scheme}://{url.Authority}{(path ?? url.AbsolutePath).TrimEnd('/')}";

    private static HttpResponseMessage Json(object body) => new(HttpStatusCode.OK) { Content = JsonContent.Create(body) };

    private static HttpResponseMessage Error(HttpStatusCode status, string code, string message) =>
        new(status) { Content = JsonContent.Create(new { code, message }) };

    private sealed class Instance(string peerId)
    {
        public string PeerId { get; } = peerId;

        public bool Started { get; set; }
    }
}
