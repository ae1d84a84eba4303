namespace ScyllaApocryph.Providers.Apocryph.Registry;

/// <summary>
/// Reads a file from IPFS through the local Kubo daemon's HTTP RPC API: POST /api/v0/cat?arg=&lt;cid&gt; answers the
/// file's bytes (Kubo's errors are HTTP 500 with {"Message",...}). Upstream reads profiles with the Kubo RPC
/// client's Unixfs().Get, which asks files/stat and then cat (pkg/ipfs/files.go GetBytes at 4bbf371, kubo
/// client/rpc/unixfs.go); cat alone gives the same bytes for a file.
/// </summary>
public static class KuboFiles
{
    /// <summary>Profiles are a few hundred bytes; a larger answer is refused rather than read whole.</summary>
    public const int MaxBytes = 64 * 1024;

    public static async Task<byte[]> CatAsync(HttpClient http, Uri kuboApi, string cid, CancellationToken ct)
    {
        using var response = await http.PostAsync(new Uri(kuboApi, $"api/v0/cat?arg={Uri.EscapeDataString(cid)}"), null, ct);
        if (!response.IsSuccessStatusCode)
            throw new KuboFileException($"Kubo cat {cid} failed (HTTP {(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(ct)}");
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBytes) throw new KuboFileException($"{cid} is larger than {MaxBytes} bytes, too large for a provider profile");
        }
        return buffer.ToArray();
    }
}

/// <summary>Kubo answered, but not with the file: the content, not the connection, is the problem.</summary>
public sealed class KuboFileException(string message) : Exception(message);
