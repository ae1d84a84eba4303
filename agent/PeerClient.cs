using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ScyllaApocryph.Agent;

/// <summary>
/// Talks to the other slots' agents. In tls mode with mutual TLS: this node's certificate as the client's, and a
/// peer's certificate must chain to the cluster CA (and nothing else). In nebula mode plain HTTP on the overlay, where
/// the firewall admits only the cluster's nodes.
/// </summary>
public sealed class PeerClient
{
    public HttpClient Http { get; }

    private readonly Func<AgentConfig> _config;

    public PeerClient(AgentConfig config) : this(() => config)
    {
    }

    /// <summary>Follows the agent's current configuration (hot reload): the slots it talks to are today's.</summary>
    public PeerClient(Func<AgentConfig> config)
    {
        _config = config;
        if (config() is { Security: "tls", Tls: { } tls }) Tls = new AgentTlsMaterial(tls);
        Http = Create(TimeSpan.FromMilliseconds(config().PeerTimeoutMs));
    }

    /// <summary>This agent's certificate and the cluster CA (tls mode), shared with its API; reloaded when they change.</summary>
    public AgentTlsMaterial? Tls { get; }

    /// <summary>A client with this agent's TLS settings; <paramref name="timeout"/> may be infinite (blocking topology POSTs).</summary>
    public HttpClient Create(TimeSpan timeout)
    {
        var config = _config();
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromMilliseconds(config.PeerTimeoutMs) };
        if (Tls is { } material)
        {
            // The newest material at every handshake; pooled connections are renewed so a renewal takes effect.
            handler.PooledConnectionLifetime = TimeSpan.FromMinutes(1);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                LocalCertificateSelectionCallback = (_, _, _, _, _) => material.Certificate,
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && ClusterCa.Chains(material.Ca, new X509Certificate2(cert)),
            };
        }
        return new HttpClient(new Stamp(config.Slot, () => Term()) { InnerHandler = handler }) { Timeout = timeout };
    }

    /// <summary>The actor lease's term this agent holds now (0: none), stamped on every request for the callee's <see cref="PeerGate"/>.</summary>
    public Func<long> Term { get; set; } = () => 0;

    /// <summary>Names the calling slot (the only identity in security none) and carries the term the caller holds.</summary>
    private sealed class Stamp(string slot, Func<long> term) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove(PeerIdentity.SlotHeader);
            request.Headers.Add(PeerIdentity.SlotHeader, slot);
            if (!request.Headers.Contains(PeerGate.TermHeader) && term() is var t and not 0)
                request.Headers.Add(PeerGate.TermHeader, t.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return base.SendAsync(request, cancellationToken);
        }
    }

    public Uri UrlOf(AgentSlot slot, string path) => new(new Uri(slot.AgentUrl.TrimEnd('/') + "/"), path.TrimStart('/'));

    public async Task<T?> GetAsync<T>(AgentSlot slot, string path, CancellationToken ct) where T : class
    {
        try
        {
            return await Http.GetFromJsonAsync<T>(UrlOf(slot, path), AgentConfig.Json, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public async Task<TReply?> SendAsync<TRequest, TReply>(HttpMethod method, AgentSlot slot, string path, TRequest body, CancellationToken ct)
        where TReply : class
    {
        try
        {
            using var request = new HttpRequestMessage(method, UrlOf(slot, path)) { Content = JsonContent.Create(body, options: AgentConfig.Json) };
            using var response = await Http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode) return null;
            return await response.Content.ReadFromJsonAsync<TReply>(AgentConfig.Json, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public IEnumerable<AgentSlot> Others
    {
        get
        {
            var c = _config();
            return c.Slots.Where(s => s.Slot != c.Slot);
        }
    }
}

/// <summary>Checks a peer's certificate against the cluster CA only (the system's roots play no part).</summary>
public static class ClusterCa
{
    /// <summary>The first certificate of a PEM file (the CA; no key).</summary>
    public static X509Certificate2 Load(string pemFile) => X509Certificate2.CreateFromPem(File.ReadAllText(pemFile));

    /// <summary>A certificate with its key, re-imported as PKCS#12: TLS on Linux needs a key that is not ephemeral.</summary>
    public static X509Certificate2 LoadWithKey(string certFile, string keyFile)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public static bool Chains(X509Certificate2 ca, X509Certificate2 peer)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(peer);
    }
}
