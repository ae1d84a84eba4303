using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// The part of a Kubo daemon's HTTP RPC API (/api/v0, POST only, as Kubo since 0.5) that Apocryph publishers use:
/// p2p/forward (protocol, listen multiaddr, /p2p/peer) opens a local TCP listener whose connections reach the
/// peer's handler for that protocol; p2p/ls lists {Protocol, ListenAddress, TargetAddress}; p2p/close with
/// listen-address removes a forward. Here "the peer" is a provider double on loopback, found by its peer id.
/// Errors are Kubo's {"Message","Code","Type":"error"} with HTTP 500. Source: ipfs/kubo core/commands/p2p.go; the
/// calls are those of comrade-coop/apocryph 4bbf371 pkg/ipfs/p2p.go.
/// Files, as upstream's publisher stores secrets and its provider reads them (pkg/ipfs/secrets.go), per
/// core/commands/add.go, cat.go, pin/pin.go: add takes a multipart body, answers {"Name","Hash","Size"} (CIDv0 of
/// a one-chunk file, see <see cref="UnixFsFile"/>) and pins unless pin=false; cat answers the file's bytes;
/// pin/rm answers {"Pins":[cid]}, or "not pinned or pinned indirectly". Blocks are kept after an unpin (no GC).
/// </summary>
public sealed partial class KuboApiDouble : IAsyncDisposable
{
    private HttpListener _listener = new();
    private readonly Dictionary<string, (string Protocol, int Port)> _peers = [];
    private readonly List<Forward> _forwards = [];
    private readonly Dictionary<string, byte[]> _files = [];
    private readonly HashSet<string> _pins = [];
    private readonly Task _loop;

    /// <param name="port">0: a free loopback port.</param>
    public KuboApiDouble(int port = 0)
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = port != 0 ? port : FreeLoopbackPort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (port == 0 && attempt < 5)
            {
                _listener = new HttpListener(); // a listener whose start failed is not reused
                // taken between the probe and the bind: try another
            }
        }
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; private set; }
    public Uri ApiUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>Forwards opened and not yet closed.</summary>
    public int OpenForwards
    {
        get
        {
            lock (_forwards) return _forwards.Count;
        }
    }

    public int ForwardsOpened { get; private set; }

    /// <summary>
    /// While set, p2p/forward requests wait (a slow Kubo), so a test can stop a publisher after it paid and before it
    /// reached the provider. <see cref="HeldForwards"/> counts the requests waiting.
    /// </summary>
    public TaskCompletionSource? Hold { get; set; }

    public int HeldForwards => _held;
    private int _held;

    /// <summary>Every file added so far, by CID (exactly the bytes given to add).</summary>
    public IReadOnlyDictionary<string, byte[]> Files
    {
        get
        {
            lock (_files) return new Dictionary<string, byte[]>(_files);
        }
    }

    public IReadOnlyCollection<string> Pins
    {
        get
        {
            lock (_files) return [.. _pins];
        }
    }

    /// <summary>Makes a peer reachable: connections for <paramref name="protocol"/> go to 127.0.0.1:<paramref name="port"/>.</summary>
    public void AddPeer(string peerId, string protocol, int port)
    {
        lock (_peers) _peers[peerId] = (protocol, port);
    }

    private sealed class Forward(string protocol, string target, TcpListener listener, CancellationTokenSource stop)
    {
        public string Protocol { get; } = protocol;
        public string Target { get; } = target;
        public TcpListener Listener { get; } = listener;
        public CancellationTokenSource Stop { get; } = stop;
        public string ListenAddress => $"/ip4/127.0.0.1/tcp/{((IPEndPoint)Listener.LocalEndpoint).Port}";
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext c;
            try
            {
                c = await _listener.GetContextAsync();
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => RespondAsync(c));
        }
    }

    private async Task RespondAsync(HttpListenerContext c)
    {
        try
        {
            if (c.Request.Url!.AbsolutePath == "/api/v0/p2p/forward" && Hold is { } hold)
            {
                Interlocked.Increment(ref _held);
                await hold.Task;
                Interlocked.Decrement(ref _held);
            }
            var (status, body) = c.Request.Url!.AbsolutePath switch
            {
                "/api/v0/add" => await AddAsync(c.Request),
                "/api/v0/cat" => Cat(c.Request),
                "/api/v0/pin/rm" => Unpin(c.Request),
                _ => Answer(c.Request),
            };
            var bytes = body as byte[] ?? Encoding.UTF8.GetBytes((string)body);
            c.Response.StatusCode = status;
            c.Response.ContentType = body is byte[] ? "text/plain" : "application/json";
            c.Response.ContentLength64 = bytes.Length;
            await c.Response.OutputStream.WriteAsync(bytes);
            c.Response.Close();
        }
        catch (Exception) when (!_listener.IsListening)
        {
        }
        catch (HttpListenerException)
        {
            // the caller went away (a killed publisher)
        }
    }

    private async Task<(int, object)> AddAsync(HttpListenerRequest request)
    {
        if (request.HttpMethod != "POST") return (405, "405 - Method Not Allowed");
        if (request.QueryString["cid-version"] is { } v && v != "0") return Error("this double makes CIDv0 only");
        var boundary = request.ContentType?.Split(';').Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("boundary=", StringComparison.Ordinal))?[9..].Trim('"');
        if (boundary is null) return Error("request Content-Type is not multipart/form-data");
        using var buffer = new MemoryStream();
        await request.InputStream.CopyToAsync(buffer);
        if (FirstPart(buffer.ToArray(), boundary) is not { } part) return Error("file argument 'path' is required");
        string cid;
        byte[] node;
        try
        {
            cid = UnixFsFile.Cid(part.Data);
            node = UnixFsFile.Node(part.Data);
        }
        catch (NotSupportedException e)
        {
            return Error(e.Message);
        }
        lock (_files)
        {
            _files[cid] = part.Data;
            if (request.QueryString["pin"] != "false") _pins.Add(cid);
        }
        return (200, JsonSerializer.Serialize(new { Name = part.Name ?? cid, Hash = cid, Size = node.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) }) + "\n");
    }

    private (int, object) Cat(HttpListenerRequest request)
    {
        if (request.HttpMethod != "POST") return (405, "405 - Method Not Allowed");
        var arg = request.QueryString["arg"] ?? "";
        if (arg.Length == 0) return Error("argument \"ipfs-path\" is required");
        var cid = arg.StartsWith("/ipfs/", StringComparison.Ordinal) ? arg[6..] : arg;
        if (!IsCidV0(cid)) return Error($"invalid path \"{arg}\": invalid cid: selected encoding not supported");
        lock (_files)
        {
            if (!_files.TryGetValue(cid, out var data)) return Error($"block was not found locally (offline): ipld: could not find {cid}");
            _filesServed++;
            return (200, data);
        }
    }

    private (int, object) Unpin(HttpListenerRequest request)
    {
        if (request.HttpMethod != "POST") return (405, "405 - Method Not Allowed");
        var cid = request.QueryString["arg"] ?? "";
        lock (_files)
        {
            return _pins.Remove(cid) ? (200, JsonSerializer.Serialize(new { Pins = new[] { cid } })) : Error("not pinned or pinned indirectly");
        }
    }

    /// <summary>The first part of a multipart/form-data body: its file name and bytes.</summary>
    private static (string? Name, byte[] Data)? FirstPart(byte[] body, string boundary)
    {
        var delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var start = body.AsSpan().IndexOf(delimiter);
        if (start < 0) return null;
        var headersStart = start + delimiter.Length + 2;
        var headersEnd = body.AsSpan(headersStart).IndexOf("\r\n\r\n"u8);
        if (headersEnd < 0) return null;
        var headers = Encoding.UTF8.GetString(body, headersStart, headersEnd);
        var dataStart = headersStart + headersEnd + 4;
        var dataEnd = body.AsSpan(dataStart).IndexOf([.. "\r\n"u8, .. delimiter]);
        if (dataEnd < 0) return null;
        var name = headers.Split("\r\n").Select(h => h.Trim()).FirstOrDefault(h => h.StartsWith("Content-Disposition", StringComparison.OrdinalIgnoreCase))
            ?.Split(';').Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("filename=", StringComparison.Ordinal))?[9..].Trim('"');
        return (name, body[dataStart..(dataStart + dataEnd)]);
    }

    private (int, object) Answer(HttpListenerRequest request)
    {
        if (request.HttpMethod != "POST") return (405, "405 - Method Not Allowed");
        var args = request.QueryString.GetValues("arg") ?? [];
        switch (request.Url!.AbsolutePath)
        {
            case "/api/v0/p2p/forward":
                if (args.Length != 3) return Error("argument \"target-address\" is required");
                var (protocol, listen, target) = (args[0], args[1], args[2]);
                if (!protocol.StartsWith("/x/", StringComparison.Ordinal)) return Error("protocol name must be within '/x/' namespace");
                if (listen != "/ip4/127.0.0.1/tcp/0" && !listen.StartsWith("/ip4/127.0.0.1/tcp/", StringComparison.Ordinal))
                    return Error("only loopback listen addresses in this double");
                (string Protocol, int Port) peer;
                lock (_peers)
                {
                    if (!target.StartsWith("/p2p/", StringComparison.Ordinal) || !_peers.TryGetValue(target[5..], out peer))
                        return Error($"failed to dial {target}: no addresses");
                }
                if (peer.Protocol != protocol) return Error("protocols not supported: [" + protocol + "]");
                var port = int.Parse(listen[(listen.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                var forward = new Forward(protocol, target, listener, new CancellationTokenSource());
                lock (_forwards)
                {
                    _forwards.Add(forward);
                    ForwardsOpened++;
                }
                _ = Task.Run(() => PipeAsync(forward, peer.Port));
                return (200, "");
            case "/api/v0/p2p/ls":
                lock (_forwards)
                {
                    var listeners = _forwards.Select(f => new { f.Protocol, f.ListenAddress, TargetAddress = f.Target }).ToList();
                    return (200, JsonSerializer.Serialize(new { Listeners = listeners.Count == 0 ? null : listeners }));
                }
            case "/api/v0/p2p/close":
                var address = request.QueryString["listen-address"];
                List<Forward> closing;
                lock (_forwards)
                {
                    closing = _forwards.Where(f => address is null || f.ListenAddress == address).ToList();
                    _forwards.RemoveAll(closing.Contains);
                }
                foreach (var f in closing)
                {
                    f.Stop.Cancel();
                    f.Listener.Stop();
                }
                return (200, JsonSerializer.Serialize(closing.Count));
            default:
                return (404, "404 page not found");
        }
    }

    private static async Task PipeAsync(Forward forward, int targetPort)
    {
        while (!forward.Stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await forward.Listener.AcceptTcpClientAsync(forward.Stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (inbound)
                using (var outbound = new TcpClient())
                {
                    try
                    {
                        await outbound.ConnectAsync(IPAddress.Loopback, targetPort);
                        var a = inbound.GetStream();
                        var b = outbound.GetStream();
                        await Task.WhenAny(a.CopyToAsync(b), b.CopyToAsync(a));
                    }
                    catch (Exception)
                    {
                    }
                }
            });
        }
    }

    private static int FreeLoopbackPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static (int, object) Error(string message) =>
        (500, JsonSerializer.Serialize(new { Message = message, Code = 0, Type = "error" }));

    public async ValueTask DisposeAsync()
    {
        lock (_forwards)
        {
            foreach (var f in _forwards)
            {
                f.Stop.Cancel();
                f.Listener.Stop();
            }
            _forwards.Clear();
        }
        // Close alone: after Stop, the managed HttpListener's Close looks the port up again to remove its prefix and
        // can fail with "Address already in use" once another process took the port. Teardown only, so not a failure.
        try
        {
            _listener.Close();
        }
        catch (HttpListenerException)
        {
        }
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
        }
    }
}
