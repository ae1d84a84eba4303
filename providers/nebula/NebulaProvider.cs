using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Providers.Common;

namespace ScyllaApocryph.Providers.Nebula;

/// <summary>The "nebula" package: CertificateAuthority, Certificate and Blocklist under one provider name.</summary>
public sealed class NebulaProvider(NebulaCertTool tool, TimeProvider clock) : ByTypeProvider(new Dictionary<string, IResourceProvider>
{
    [NebulaCertificateAuthorityProvider.Type] = new NebulaCertificateAuthorityProvider(tool, clock),
    [NebulaCertificateProvider.Type] = new NebulaCertificateProvider(tool, clock),
    [NebulaBlocklistProvider.Type] = new NebulaBlocklistProvider(clock),
})
{
    public NebulaProvider() : this(new NebulaCertTool(), TimeProvider.System)
    {
    }
}
