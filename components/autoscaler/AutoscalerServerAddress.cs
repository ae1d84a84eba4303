using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace ScyllaApocryph.Components.Autoscaler;

/// <summary>
/// What upstream can do with an entry of <c>ConnectClusterRequest.servers</c> (comrade-coop/apocryph at 4bbf371,
/// pkg/autoscaler/server.go): it is the base URL of a Connect client (<c>FetchPeerIDsFromServers</c> calls TriggerNode
/// there), and <c>GetMultiAddr</c> splits its host on ':' into exactly an IP and a port and writes
/// <c>/ip4/&lt;ip&gt;/tcp/32500/p2p/&lt;peer&gt;</c>, which only an IPv4 literal parses as. So: <c>http://&lt;IPv4&gt;:&lt;port&gt;</c>.
/// </summary>
public static partial class AutoscalerServerAddress
{
    /// <summary>Null when upstream can use <paramref name="server"/>; otherwise why not.</summary>
    public static string? Problem(string server)
    {
        var m = Shape().Match(server);
        if (!m.Success)
            return $"must be http://<IPv4>:<port> (upstream turns it into /ip4/<ip>/tcp/32500), got '{server}'";
        var ip = m.Groups["ip"].Value;
        if (!IPAddress.TryParse(ip, out _) || ip.Split('.').Any(octet => int.Parse(octet, CultureInfo.InvariantCulture) > 255))
            return $"'{ip}' is not an IPv4 address, in '{server}'";
        var port = int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture);
        if (port is < 1 or > 65535) return $"port {port} is outside 1-65535, in '{server}'";
        return null;
    }

    [GeneratedRegex(@"^http://(?<ip>[0-9]{1,3}(\.[0-9]{1,3}){3}):(?<port>[0-9]{1,5})/?$")]
    private static partial Regex Shape();
}
