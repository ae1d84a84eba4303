using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace ScyllaApocryph.Components.Mesh;

/// <summary>
/// Which Nebula runs the overlay, and what its version allows. The official image <c>nebulaoss/nebula</c> is pushed
/// from slackhq/nebula's release workflow (.github/workflows/release.yml, tag = the release without its 'v') since
/// v1.9.0, when docker/Dockerfile first appeared (distroless, ENTRYPOINT /nebula); there is no 1.6 or 1.8 image.
/// </summary>
public static partial class NebulaRelease
{
    /// <summary>The node sidecar's default image: the last release of the 1.9 line.</summary>
    public const string DefaultImage = "docker.io/nebulaoss/nebula:1.9.7";

    /// <summary>
    /// The first release that accepts a host name in <c>static_host_map</c> it cannot resolve yet. Up to 1.6.1
    /// (Debian's package) loadStaticMap resolves each entry once at load (udp.ParseIPAndPort, net.ResolveIPAddr) and
    /// nebula refuses to start on an error; from 1.7.0 names are looked up in the background and re-resolved every
    /// <c>static_map.cadence</c> (remote_list.go NewHostnameResults).
    /// </summary>
    public static readonly Version ResolvesNamesFrom = new(1, 7, 0);

    /// <summary>The version an image reference's tag names (<c>…:1.9.7</c>, <c>…:v1.10.0</c>), or null (no tag, a digest, <c>latest</c>).</summary>
    public static Version? ImageVersion(string image)
    {
        if (image.Contains('@')) return null;
        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        if (colon <= slash) return null;
        var m = Tag().Match(image[(colon + 1)..]);
        return m.Success
            ? new Version(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                m.Groups[3].Success ? int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 0)
            : null;
    }

    /// <summary>Whether a static_host_map host is a name (to resolve) rather than an IP address.</summary>
    public static bool IsName(string host) => !IPAddress.TryParse(host.Trim('[', ']'), out _);

    [GeneratedRegex(@"^v?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?$")]
    private static partial Regex Tag();
}
