using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

// A stand-in for one ScyllaDB node, started the way the agent starts the image's entrypoint (docker-entrypoint.py
// from scylladb/scylla's docker image: --seeds, --api-address and other flags; scylla.yaml read from $SCYLLA_CONF, as
// ScyllaDB does). It plays the node's process: it asks the shared simulated cluster (tests/Agent/SimulatedClusterServer,
// the test double ScyllaSimulator behind a loopback endpoint, given in SCYLLA_STANDIN_CLUSTER) to boot it, restart it on
// its data, or stop it, and serves the node's REST API on api_address:api_port by relaying to the simulator.
// What it keeps on its volume is its host ID (under workdir/data), written once the node is a member, as ScyllaDB's
// system tables would be. Exit codes: 0 after SIGTERM, 1 when the cluster refused it (as ScyllaDB exits on a failed boot).

var conf = Environment.GetEnvironmentVariable("SCYLLA_CONF") ?? "/etc/scylla";
var cluster = new Uri(Environment.GetEnvironmentVariable("SCYLLA_STANDIN_CLUSTER") ?? throw new InvalidOperationException("SCYLLA_STANDIN_CLUSTER"));
var yaml = ReadYaml(Path.Combine(conf, "scylla.yaml"));
var rackdc = File.ReadAllLines(Path.Combine(conf, "cassandra-rackdc.properties"))
    .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
string Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? "";
// Command-line flags beat scylla.yaml (docker-entrypoint.py writes them over the file's values).
var seeds = (Arg("--seeds") is { Length: > 0 } s ? s : yaml.GetValueOrDefault("seeds", "")).Split(',', StringSplitOptions.RemoveEmptyEntries);
var address = yaml["broadcast_address"];
var apiAddress = Arg("--api-address") is { Length: > 0 } a ? a : yaml.GetValueOrDefault("api_address", "127.0.0.1");
var apiPort = int.Parse(yaml.GetValueOrDefault("api_port", "10000"));
var workdir = yaml.GetValueOrDefault("workdir", "/var/lib/scylla");
var hostIdFile = Path.Combine(workdir, "data", "host-id");
var http = new HttpClient { BaseAddress = cluster, Timeout = Timeout.InfiniteTimeSpan };

// SIGTERM is handled from the very start, as the image's entrypoint installs its handler first thing
// (dist/docker/redhat/docker-entrypoint.py forwards it to supervisord) and ScyllaDB's main its stop_signal: a stop
// during the start makes it stop as soon as it has started, with exit code 0.
using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
var hostId = File.Exists(hostIdFile) ? File.ReadAllText(hostIdFile).Trim() : null;
var start = await http.PostAsJsonAsync("standin/start", new
{
    address,
    datacenter = rackdc["dc"],
    hostId,
    replace = yaml.GetValueOrDefault("replace_node_first_boot"),
    ignore = yaml.GetValueOrDefault("ignore_dead_nodes_for_replace", "").Split(',', StringSplitOptions.RemoveEmptyEntries),
    seeds,
    pid = Environment.ProcessId,
});
var started = await start.Content.ReadFromJsonAsync<JsonElement>();
if (!start.IsSuccessStatusCode)
{
    Console.Error.WriteLine($"scylla-standin {address}: the cluster refused this node: {started.GetProperty("error").GetString()}");
    return 1;
}
hostId = started.GetProperty("hostId").GetString()!;
Console.WriteLine($"scylla-standin {address}: running as host {hostId} (seeds {string.Join(",", seeds)})");

// Kestrel, not HttpListener: the agent polls this port from the moment the process starts, and .NET's managed
// HttpListener can fail in Start() when a connection is already waiting in the backlog (its listener completes the
// first accept synchronously, before its own fields are set: ArgumentNullException in ProcessAccept).
var web = WebApplication.CreateSlimBuilder();
web.Logging.ClearProviders();
web.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(apiAddress), apiPort));
var api = web.Build();
api.Run(ctx => ServeAsync(ctx, http, address));
await api.StartAsync();
// The host ID reaches the volume once the node is a member (Normal), as ScyllaDB's system tables would hold it.
while (!stop.IsCancellationRequested && !File.Exists(hostIdFile))
{
    try
    {
        var joining = await http.GetFromJsonAsync<string[]>($"rest/{address}/storage_service/nodes/joining", stop.Token);
        var member = await http.GetFromJsonAsync<string>($"rest/{address}/storage_service/hostid/local", stop.Token);
        if (member == hostId && joining is not null && !joining.Contains(address))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(hostIdFile)!);
            File.WriteAllText(hostIdFile, hostId);
        }
    }
    catch (HttpRequestException)
    {
        // not answering yet (the cluster may have rolled the join back: the process then exits below)
    }
    catch (OperationCanceledException)
    {
        break;
    }
    var state = await http.GetFromJsonAsync<JsonElement>($"standin/state?address={address}&hostId={hostId}");
    if (!state.GetProperty("member").GetBoolean())
    {
        Console.Error.WriteLine($"scylla-standin {address}: the cluster dropped this node while it joined");
        return 1;
    }
    try { await Task.Delay(100, stop.Token); } catch (OperationCanceledException) { break; }
}
try { await Task.Delay(Timeout.Infinite, stop.Token); } catch (OperationCanceledException) { }
await http.PostAsJsonAsync("standin/stop", new { address, pid = Environment.ProcessId });
await api.StopAsync();
Console.WriteLine($"scylla-standin {address}: stopped");
return 0;

// The node's REST API: drain is answered here (it flushes memtables and stops listening: nothing to flush here),
// everything else is relayed to the simulated cluster as this node's call.
static async Task ServeAsync(HttpContext ctx, HttpClient http, string address)
{
    try
    {
        if (HttpMethods.IsPost(ctx.Request.Method) && ctx.Request.Path == "/storage_service/drain")
        {
            ctx.Response.StatusCode = 200;
            return;
        }
        using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), $"rest/{address}{ctx.Request.Path}{ctx.Request.QueryString}");
        using var response = await http.SendAsync(request, ctx.RequestAborted);
        ctx.Response.StatusCode = (int)response.StatusCode;
        ctx.Response.ContentType = "application/json";
        await response.Content.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
    }
    catch (Exception)
    {
        ctx.Abort();
    }
}

// The flat keys of scylla.yaml this stand-in needs (the seed list sits under seed_provider; it is read as "seeds").
static Dictionary<string, string> ReadYaml(string path)
{
    var map = new Dictionary<string, string>();
    foreach (var line in File.ReadAllLines(path))
    {
        var t = line.Trim().TrimStart('-').Trim();
        var colon = t.IndexOf(':');
        if (t.StartsWith('#') || colon <= 0) continue;
        var value = t[(colon + 1)..].Trim().Trim('\'', '"');
        if (value.Length > 0) map.TryAdd(t[..colon].Trim(), value);
    }
    return map;
}
