using System.Text.Json;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// A connection to a provider through the local Kubo daemon's experimental p2p API, as upstream's pkg/ipfs/p2p.go
/// (4bbf371): POST /api/v0/p2p/forward with (protocol, a listen address on the Kubo host, /p2p/peer), then
/// p2p/ls to learn the listen address Kubo bound, and p2p/close with that listen-address when done.
/// </summary>
public sealed class KuboP2pForward : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _api;
    private readonly string _listen;

    private KuboP2pForward(HttpClient http, Uri api, string listen, Uri address)
    {
        _http = http;
        _api = api;
        _listen = listen;
        Address = address;
    }

    /// <summary>The local HTTP address that reaches the provider.</summary>
    public Uri Address { get; }

    public static async Task<KuboP2pForward> OpenAsync(HttpClient http, Uri kuboApi, string peerId, CancellationToken ct)
    {
        var target = "/p2p/" + peerId;
        await PostAsync(http, kuboApi, "p2p/forward", [("arg", ApocryphNames.ProvisionProtocol), ("arg", "/ip4/127.0.0.1/tcp/0"), ("arg", target)], ct);
        using var ls = JsonDocument.Parse(await PostAsync(http, kuboApi, "p2p/ls", [], ct));
        // Kubo answers {"Listeners": null} when there are none.
        var listeners = ls.RootElement.TryGetProperty("Listeners", out var l) && l.ValueKind == JsonValueKind.Array ? l.EnumerateArray().ToList() : [];
        var mine = listeners.LastOrDefault(x => x.GetProperty("Protocol").GetString() == ApocryphNames.ProvisionProtocol
                                                && x.GetProperty("TargetAddress").GetString() == target);
        if (mine.ValueKind != JsonValueKind.Object) throw new InvalidOperationException($"Kubo lists no forward to {target}");
        var listen = mine.GetProperty("ListenAddress").GetString()!;
        // /ip4/127.0.0.1/tcp/PORT
        var parts = listen.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 4 || parts[0] != "ip4" || parts[2] != "tcp") throw new InvalidOperationException($"unexpected Kubo listen address {listen}");
        return new KuboP2pForward(http, kuboApi, listen, new Uri($"http://{parts[1]}:{parts[3]}/"));
    }

    public async ValueTask DisposeAsync() =>
        await PostAsync(_http, _api, "p2p/close", [("listen-address", _listen)], CancellationToken.None);

    private static async Task<string> PostAsync(HttpClient http, Uri api, string command, (string Key, string Value)[] query, CancellationToken ct)
    {
        var q = string.Join("&", query.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        using var response = await http.PostAsync(new Uri(api, $"api/v0/{command}{(q.Length > 0 ? "?" + q : "")}"), null, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Kubo {command} failed (HTTP {(int)response.StatusCode}): {text}");
        return text;
    }
}
