using System.Net.Http.Headers;
using System.Text.Json;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// Files on IPFS through the local Kubo daemon's HTTP RPC API (ipfs/kubo core/commands/add.go, pin.go):
/// <c>add</c> (multipart body, pinned, CIDv0: what upstream's publisher gets from <c>Unixfs().Add</c> and
/// <c>Pin().Add</c> in pkg/ipfs/secrets.go UploadSecret) and <c>pin/rm</c> (RemoveSecret).
/// </summary>
public sealed class KuboFiles(HttpClient http, Uri api)
{
    /// <summary>Adds and pins <paramref name="data"/>; returns its CID as Kubo prints it.</summary>
    public async Task<string> AddAsync(byte[] data, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(data);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "secret");
        var text = await PostAsync("add?pin=true&cid-version=0", form, ct);
        // One JSON object per line (progress lines too, if asked for); the last one names the file's root.
        var last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        using var doc = JsonDocument.Parse(last);
        return doc.RootElement.GetProperty("Hash").GetString() ?? throw new InvalidOperationException("Kubo add answered no Hash");
    }

    /// <summary>Unpins <paramref name="cid"/>; one that is no longer pinned is already done.</summary>
    public async Task UnpinAsync(string cid, CancellationToken ct)
    {
        try
        {
            await PostAsync("pin/rm?arg=" + Uri.EscapeDataString(cid), null, ct);
        }
        catch (KuboException e) when (e.Message.Contains("not pinned", StringComparison.Ordinal))
        {
        }
    }

    private async Task<string> PostAsync(string command, HttpContent? body, CancellationToken ct)
    {
        using var response = await http.PostAsync(new Uri(api, "api/v0/" + command), body, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.IsSuccessStatusCode) return text;
        var message = text;
        try
        {
            using var doc = JsonDocument.Parse(text);
            message = doc.RootElement.GetProperty("Message").GetString() ?? text;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
        }
        throw new KuboException($"Kubo {command.Split('?')[0]} failed (HTTP {(int)response.StatusCode}): {message}");
    }
}

public sealed class KuboException(string message) : Exception(message);
