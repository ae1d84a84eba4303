using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// A JSON-RPC proxy on loopback in front of a chain (anvil) that fails chosen eth_sendRawTransaction calls, to
/// provoke a send failure after the sender took a nonce and signed:
/// <see cref="RpcFault.Drop"/> answers HTTP 502 without forwarding (the transaction never reaches the chain, as an
/// RPC endpoint that resets the connection); <see cref="RpcFault.LoseAnswer"/> forwards it, then answers 502 (the
/// chain has it, the sender does not know). It records the nonce of every raw transaction that reached the chain.
/// Batches (JSON arrays) pass through untouched.
/// </summary>
public sealed class RpcFaultProxy : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Uri _target;
    private readonly Func<int, RpcFault> _plan;
    private readonly Task _loop;
    private readonly List<long> _forwarded = [];
    private int _sends;

    /// <param name="plan">The fault for the n-th raw transaction (0-based).</param>
    public RpcFaultProxy(string target, Func<int, RpcFault> plan)
    {
        _target = new Uri(target);
        _plan = plan;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Nonces of the raw transactions the chain received, in order of arrival.</summary>
    public IReadOnlyList<long> ForwardedNonces
    {
        get
        {
            lock (_forwarded) return [.. _forwarded];
        }
    }

    /// <summary>Calls by JSON-RPC method (batched calls counted one by one).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Calls { get; } = new();

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
            _ = Task.Run(() => RelayAsync(c));
        }
    }

    private async Task RelayAsync(HttpListenerContext c)
    {
        try
        {
            using var reader = new StreamReader(c.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var request = JsonNode.Parse(body);
            foreach (var call in request is JsonArray a ? a : new JsonArray(request!.DeepClone()))
                Calls.AddOrUpdate(call!["method"]!.GetValue<string>(), 1, (_, n) => n + 1);
            var fault = RpcFault.None;
            long? nonce = null;
            if (request is JsonObject o && o["method"]?.GetValue<string>() == "eth_sendRawTransaction")
            {
                fault = _plan(Interlocked.Increment(ref _sends) - 1);
                var raw = o["params"]![0]!.GetValue<string>();
                nonce = Nethereum.Model.TransactionFactory.CreateTransaction(raw) switch
                {
                    Nethereum.Model.Transaction1559 t => (long)(t.Nonce ?? 0),
                    Nethereum.Model.LegacyTransaction l => (long)new System.Numerics.BigInteger(l.Nonce ?? [], isUnsigned: true, isBigEndian: true),
                    _ => -1,
                };
            }
            if (fault == RpcFault.Drop)
            {
                await RespondAsync(c, 502, "bad gateway (injected: the transaction was dropped)");
                return;
            }
            using var answer = await _upstream.PostAsync(_target, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await answer.Content.ReadAsStringAsync();
            if (nonce is { } n && JsonNode.Parse(text)?["error"] is null)
            {
                lock (_forwarded) _forwarded.Add(n);
            }
            if (fault == RpcFault.LoseAnswer)
            {
                await RespondAsync(c, 502, "bad gateway (injected: the answer was lost)");
                return;
            }
            await RespondAsync(c, (int)answer.StatusCode, text);
        }
        catch (Exception) when (!_listener.IsListening)
        {
        }
        catch (HttpListenerException)
        {
        }
        catch (Exception e)
        {
            // The chain did not answer (or answered nonsense): a gateway answers 502 rather than leaving the caller waiting.
            try
            {
                await RespondAsync(c, 502, "bad gateway: " + e.Message);
            }
            catch (Exception)
            {
            }
        }
    }

    private static async Task RespondAsync(HttpListenerContext c, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json";
        c.Response.ContentLength64 = bytes.Length;
        await c.Response.OutputStream.WriteAsync(bytes);
        c.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
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
        _upstream.Dispose();
    }
}

public enum RpcFault
{
    None,
    Drop,
    LoseAnswer,
}
