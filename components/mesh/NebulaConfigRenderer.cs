using System.Globalization;
using YamlDotNet.Serialization;

namespace ScyllaApocryph.Components.Mesh;

/// <summary>Turns a node config plus its certificates into the YAML nebula reads (checked by <c>nebula -test</c> in tests).</summary>
public static class NebulaConfigRenderer
{
    private static readonly ISerializer Yaml = new SerializerBuilder().DisableAliases().Build();

    public static string Render(NebulaNodeConfig config, NebulaPki pki) => Yaml.Serialize(ToTree(config, pki));

    /// <summary>The config as nested dictionaries, in nebula's own key names (insertion order is kept for readability).</summary>
    public static Dictionary<string, object> ToTree(NebulaNodeConfig config, NebulaPki pki)
    {
        var tree = new Dictionary<string, object>
        {
            ["pki"] = new Dictionary<string, object>
            {
                ["ca"] = pki.Ca,
                ["cert"] = pki.Cert,
                ["key"] = pki.Key,
                ["blocklist"] = pki.BlocklistPlaceholder is { } placeholder ? placeholder : pki.Blocklist.ToList(),
            },
            ["static_host_map"] = config.StaticHostMap
                .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .ToDictionary(kv => kv.Key, kv => (object)kv.Value.ToList()),
            ["lighthouse"] = new Dictionary<string, object>
            {
                ["am_lighthouse"] = config.AmLighthouse,
                ["interval"] = 60,
                // A lighthouse must not list lighthouses itself.
                ["hosts"] = config.AmLighthouse ? new List<string>() : config.Lighthouses.ToList(),
            },
            ["listen"] = new Dictionary<string, object> { ["host"] = config.ListenHost, ["port"] = config.ListenPort },
            ["punchy"] = new Dictionary<string, object> { ["punch"] = config.Punchy, ["respond"] = config.Punchy },
            ["relay"] = new Dictionary<string, object>
            {
                ["am_relay"] = config.AmRelay,
                ["use_relays"] = config.UseRelays,
                ["relays"] = (config.Relays ?? []).ToList(),
            },
            ["tun"] = new Dictionary<string, object>
            {
                ["disabled"] = false,
                ["dev"] = config.TunDevice,
                ["drop_local_broadcast"] = true,
                ["drop_multicast"] = true,
                ["mtu"] = config.Mtu,
            },
            ["logging"] = new Dictionary<string, object> { ["level"] = config.LogLevel, ["format"] = "text" },
            ["firewall"] = new Dictionary<string, object>
            {
                ["outbound_action"] = "drop",
                ["inbound_action"] = "drop",
                ["conntrack"] = new Dictionary<string, object>
                {
                    ["tcp_timeout"] = "12m",
                    ["udp_timeout"] = "3m",
                    ["default_timeout"] = "10m",
                },
                ["outbound"] = config.Firewall.Outbound.Select(Rule).ToList(),
                ["inbound"] = config.Firewall.Inbound.Select(Rule).ToList(),
            },
        };
        return tree;
    }

    private static Dictionary<string, object> Rule(NebulaFirewallRule rule)
    {
        var map = new Dictionary<string, object>
        {
            ["port"] = int.TryParse(rule.Port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : rule.Port,
            ["proto"] = rule.Proto,
        };
        if (rule.Group is not null) map["group"] = rule.Group;
        if (rule.Host is not null) map["host"] = rule.Host;
        if (rule.Cidr is not null) map["cidr"] = rule.Cidr;
        return map;
    }
}
