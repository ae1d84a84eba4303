using System.Net;
using System.Net.Sockets;

namespace ScyllaApocryph.Providers.Scylla;

/// <summary>
/// A slot's name through the system's resolver: on Kubernetes, a StatefulSet pod's name under its headless Service, whose
/// record exists while the pod does (Kubernetes DNS for Services and Pods). A name that does not resolve answers nothing.
/// </summary>
public sealed class DnsSlotAddressResolver : ISlotAddressResolver
{
    public async Task<IReadOnlyList<string>> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(name, out var literal)) return [literal.ToString()];
        try
        {
            return (await Dns.GetHostAddressesAsync(name, cancellationToken)).Select(a => a.ToString()).ToList();
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
