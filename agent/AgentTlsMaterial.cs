using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ScyllaApocryph.Agent;

/// <summary>
/// The agent's own TLS material in tls mode, reloaded when its files change: a renewed node certificate (or a new
/// cluster CA) is what restarts ScyllaDB, and the agent's API and its calls to peers must move to it too, before the
/// old certificate expires. New handshakes use the newest material; a file that does not load keeps the previous one.
/// </summary>
public sealed class AgentTlsMaterial
{
    private readonly AgentTls _files;
    private readonly Lock _gate = new();
    private string _hash;
    private X509Certificate2 _certificate;
    private X509Certificate2 _ca;

    public AgentTlsMaterial(AgentTls files)
    {
        _files = files;
        _hash = HashOfFiles();
        (_certificate, _ca) = (ClusterCa.LoadWithKey(files.CertFile, files.KeyFile), ClusterCa.Load(files.CaFile));
    }

    public X509Certificate2 Certificate { get { lock (_gate) return _certificate; } }

    public X509Certificate2 Ca { get { lock (_gate) return _ca; } }

    /// <summary>Reloads when the files changed; returns what happened (null: unchanged).</summary>
    public string? Refresh()
    {
        var hash = HashOfFiles();
        lock (_gate)
        {
            if (hash == _hash) return null;
            try
            {
                (_certificate, _ca) = (ClusterCa.LoadWithKey(_files.CertFile, _files.KeyFile), ClusterCa.Load(_files.CaFile));
                _hash = hash;
                return $"reloaded its TLS certificate ({_certificate.Subject}, valid until {_certificate.NotAfter:u})";
            }
            catch (Exception e) when (e is CryptographicException or IOException or ArgumentException)
            {
                return $"TLS files changed but do not load ({e.Message}): keeping the previous certificate";
            }
        }
    }

    private string HashOfFiles()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var f in new[] { _files.CertFile, _files.KeyFile, _files.CaFile })
        {
            try
            {
                hash.AppendData(File.ReadAllBytes(f));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                hash.AppendData("missing"u8);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
