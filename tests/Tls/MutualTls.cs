using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ScyllaApocryph.Providers.Tls;

namespace ScyllaApocryph.Tests.Tls;

/// <summary>
/// A loopback SslStream server and client that trust exactly one CA (a custom root trust, not the machine store)
/// and require each other's certificates — the same checks Scylla makes with require_client_auth and a truststore.
/// </summary>
internal static class MutualTls
{
    public sealed record Outcome(bool ServerAccepted, bool ClientAccepted, Exception? ServerError, Exception? ClientError)
    {
        public bool Completed => ServerAccepted && ClientAccepted && ServerError is null && ClientError is null;
    }

    public static async Task<Outcome> HandshakeAsync(TlsKeyPair trustedCa, TlsKeyPair server, TlsKeyPair client, string targetHost)
    {
        using var ca = X509Certificate2.CreateFromPem(trustedCa.CertificatePem);
        using var serverCert = Loadable(server);
        using var clientCert = Loadable(client);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serverAccepted = false;
        var clientAccepted = false;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var serverTask = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync(timeout.Token);
            await using var ssl = new SslStream(socket.GetStream(), false);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = serverCert,
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, cert, _, errors) => serverAccepted = Validate(ca, cert, errors, SslPolicyErrors.None),
            }, timeout.Token);
            var buffer = new byte[4];
            await ssl.ReadExactlyAsync(buffer, timeout.Token);
            await ssl.WriteAsync(buffer, timeout.Token);
        });
        var clientTask = Task.Run(async () =>
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            await using var ssl = new SslStream(socket.GetStream(), false);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                ClientCertificates = [clientCert],
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, cert, _, errors) => clientAccepted = Validate(ca, cert, errors, SslPolicyErrors.None),
            }, timeout.Token);
            await ssl.WriteAsync("ping"u8.ToArray(), timeout.Token);
            var echo = new byte[4];
            await ssl.ReadExactlyAsync(echo, timeout.Token);
        });
        var serverError = await Capture(serverTask);
        var clientError = await Capture(clientTask);
        return new Outcome(serverAccepted, clientAccepted, serverError, clientError);
    }

    /// <summary>Chain to our CA only; the host-name check (the name mismatch flag) comes from SslStream itself.</summary>
    private static bool Validate(X509Certificate2 ca, X509Certificate? presented, SslPolicyErrors errors, SslPolicyErrors allowed)
    {
        if (presented is null) return false;
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(presented);
        return chain.Build(leaf) && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors & ~allowed) == 0;
    }

    // SslStream on Linux wants a certificate whose key it can hand to OpenSSL; a PKCS#12 round trip gives that.
    private static X509Certificate2 Loadable(TlsKeyPair pair)
    {
        using var pem = X509Certificate2.CreateFromPem(pair.CertificatePem, pair.PrivateKeyPem);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static async Task<Exception?> Capture(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
