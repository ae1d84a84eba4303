using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Providers.Common;

namespace ScyllaApocryph.Providers.Tls;

/// <summary>The "tls" package: CertificateAuthority and Certificate under one provider name.</summary>
public sealed class TlsProvider(TimeProvider clock) : ByTypeProvider(new Dictionary<string, IResourceProvider>
{
    [TlsCertificateAuthorityProvider.Type] = new TlsCertificateAuthorityProvider(clock),
    [TlsCertificateProvider.Type] = new TlsCertificateProvider(clock),
})
{
    public TlsProvider() : this(TimeProvider.System)
    {
    }
}
