using System.Net;
using System.Text;
using System.Text.Json;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>
/// The shared simulated cluster for the agent tests: <see cref="ScyllaSimulator"/> behind a loopback HTTP endpoint, so
/// that separate stand-in processes (tests/ScyllaStandIn) can each play one node. A stand-in asks to start (fresh,
/// replacing, or on its data), relays its REST API here, and says when it stops; a process that dies without saying so
/// (SIGKILL) is noticed by its pid and stopped in the simulator, as peers notice a dead node.
/// Beyond the simulator's rules it records what ScyllaDB would do to a badly started node: one started with itself as
/// its only seed while a cluster exists founds a second cluster; one whose seeds are all unreachable cannot start;
/// two processes on one node's data is a double start.
/// </summary>
public sealed class SimulatedClusterServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpMessageInvoker _rest;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _pids = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving, _watching;

    public ScyllaSimulator Sim { get; }

    public Uri Url { get; }

    public List<string> SecondClusters { get; } = [];

    public List<string> DoubleStarts { get; } = [];

    /// <summary>Every start request, in order: "fresh a", "replace a hostid", "restart a hostid", with the seeds given.</summary>
    public List<string> Starts { get; } = [];

    /// <summary>
    /// Every stop of a node's process (a stand-in's own orderly stop, or its death noticed by pid), in order, with how
    /// many members had no running process right after it. Processes stop and start only through this server, so the
    /// largest of these counts is exactly the most nodes that were ever down at once.
    /// </summary>
    public List<(string Address, int Down)> Stops { get; } = [];

    public int MaxDown
    {
        get { lock (_gate) return Stops.Count == 0 ? 0 : Stops.Max(s => s.Down); }
    }

    public SimulatedClusterServer(ScyllaSimulator sim)
    {
        Sim = sim;
        _rest = new HttpMessageInvoker(sim, disposeHandler: false);
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _serving = Task.Run(ServeAsync);
        _watching = Task.Run(WatchAsync);
    }

    public static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public int? PidOf(string address)
    {
        lock (_gate) return _pids.TryGetValue(address, out var p) ? p : null;
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); } catch (Exception) { return; }
            _ = Task.Run(() => HandleAsync(ctx));
        }
    }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        try
        {
            var path = ctx.Request.Url!.AbsolutePath;
            if (path.StartsWith("/rest/", StringComparison.Ordinal))
            {
                await RelayAsync(ctx, path);
                return;
            }
            var body = ctx.Request.HasEntityBody ? await JsonDocument.ParseAsync(ctx.Request.InputStream) : null;
            var (status, answer) = path switch
            {
                "/standin/start" => Start(body!.RootElement),
                "/standin/stop" => Stop(body!.RootElement),
                "/standin/state" => (200, (object)new
                {
                    member = Sim.Members.Any(n => n.HostId == ctx.Request.QueryString["hostId"]),
                }),
                _ => (404, new { error = "no such endpoint" }),
            };
            await WriteAsync(ctx, status, answer);
        }
        catch (Exception e)
        {
            try { await WriteAsync(ctx, 500, new { error = e.Message }); } catch (Exception) { }
        }
    }

    private (int, object) Start(JsonElement r)
    {
        var address = r.GetProperty("address").GetString()!;
        var pid = r.GetProperty("pid").GetInt32();
        var hostId = r.TryGetProperty("hostId", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
        var replace = r.TryGetProperty("replace", out var rp) && rp.ValueKind == JsonValueKind.String ? rp.GetString() : null;
        var seeds = r.GetProperty("seeds").EnumerateArray().Select(e => e.GetString()!).ToList();
        var ignore = r.GetProperty("ignore").EnumerateArray().Select(e => e.GetString()!).ToList();
        lock (_gate)
        {
            if (hostId is not null)
            {
                Starts.Add($"restart {address} {hostId}");
                var node = Sim.Members.FirstOrDefault(n => n.HostId == hostId);
                // ScyllaDB refuses to start a node that was removed or replaced: its host ID is banned.
                if (node is null) return (409, new { error = $"host {hostId} is not a member any more (removed or replaced)" });
                if (_pids.TryGetValue(address, out var other) && Alive(other))
                {
                    DoubleStarts.Add($"{address}: pid {pid} while pid {other} runs");
                    return (409, new { error = "another process runs this node" });
                }
                Sim.Revive(node);
                _pids[address] = pid;
                return (200, new { hostId });
            }
            Starts.Add($"{(replace is null ? "fresh" : "replace")} {address}{(replace is null ? "" : " " + replace)} seeds={string.Join(",", seeds)}");
            var members = Sim.Members;
            if (members.Count > 0 && seeds.Contains(address))
            {
                SecondClusters.Add($"{address} started with seeds {string.Join(",", seeds)} while a cluster exists");
                return (409, new { error = "seeded itself while a cluster exists: would found a second cluster" });
            }
            if (members.Count == 0 && !seeds.Contains(address))
                return (409, new { error = "no seed answers: " + string.Join(",", seeds) });
            if (members.Count > 0 && !seeds.Any(Sim.IsLiveNow))
                return (409, new { error = "no seed answers: " + string.Join(",", seeds) });
            try
            {
                var boot = Sim.Boot(address, r.GetProperty("datacenter").GetString()!, replace, ignore);
                _pids[address] = pid;
                return (200, new { hostId = boot.Node!.HostId });
            }
            catch (InvalidOperationException e)
            {
                return (409, new { error = e.Message });
            }
        }
    }

    private (int, object) Stop(JsonElement r)
    {
        var address = r.GetProperty("address").GetString()!;
        var pid = r.GetProperty("pid").GetInt32();
        lock (_gate)
        {
            if (_pids.TryGetValue(address, out var p) && p == pid)
            {
                _pids.Remove(address);
                Sim.Kill(address);
                RecordStop(address);
            }
        }
        return (200, new { });
    }

    private async Task RelayAsync(HttpListenerContext ctx, string path)
    {
        var rest = path["/rest/".Length..];
        var slash = rest.IndexOf('/');
        var address = rest[..slash];
        using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.HttpMethod),
            $"http://{address}:10000{rest[slash..]}{ctx.Request.Url!.Query}");
        try
        {
            using var response = await _rest.SendAsync(request, _stop.Token);
            ctx.Response.StatusCode = (int)response.StatusCode;
            ctx.Response.ContentType = "application/json";
            await response.Content.CopyToAsync(ctx.Response.OutputStream);
            ctx.Response.Close();
        }
        catch (HttpRequestException e)
        {
            await WriteAsync(ctx, 502, new { message = e.Message, code = 502 });
        }
    }

    /// <summary>A stand-in killed without a word (SIGKILL) is a stopped node: peers see it down after the failure detector.</summary>
    private async Task WatchAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            lock (_gate)
            {
                foreach (var (address, pid) in _pids.Where(p => !Alive(p.Value)).ToList())
                {
                    _pids.Remove(address);
                    Sim.Kill(address);
                    RecordStop(address);
                }
            }
            try { await Task.Delay(50, _stop.Token); } catch (OperationCanceledException) { return; }
        }
    }

    private void RecordStop(string address) => Stops.Add((address, Sim.Members.Count(m => !m.Running)));

    /// <summary>Running and not a zombie (a child its parent has not reaped yet is dead for every purpose here).</summary>
    public static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task WriteAsync(HttpListenerContext ctx, int status, object body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body));
        await ctx.Response.OutputStream.WriteAsync(bytes);
        ctx.Response.Close();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try { Task.WaitAll([_serving, _watching], TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
