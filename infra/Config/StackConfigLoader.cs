using System.Reflection;
using System.Text.RegularExpressions;
using ScyllaApocryph.Components.Autoscaler;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Infra.Config;

/// <summary>
/// Reads <c>Pulumi.&lt;stack&gt;.yaml</c> and validates it completely before anything runs. Every problem is
/// reported at once with its key path (<c>scylla-apocryph:cluster.datacenters[1].nodes: must be >= 1</c>).
/// The <c>local</c> stack falls back to the copy embedded in the program, so it works from any checkout.
/// </summary>
public static partial class StackConfigLoader
{
    public const string LocalStack = "local";

    public static StackSpec Load(ProjectInfo project, string stack)
    {
        if (InputRules.StackNameProblem(stack) is { } problem)
            throw new ConfigException([$"--stack: '{Printable(stack)}' is not a valid stack name: it {problem}"]);
        var file = $"Pulumi.{stack}.yaml";
        var path = Path.Combine(project.Directory, file);
        string text;
        if (File.Exists(path)) text = File.ReadAllText(path);
        else if (stack == LocalStack) text = EmbeddedLocalStack();
        else
        {
            var known = Directory.GetFiles(project.Directory, "Pulumi.*.yaml").Select(f => System.IO.Path.GetFileName(f)[7..^5]).Order().ToList();
            throw new ConfigException([$"{file}: stack file not found in {project.Directory} (stacks here: {string.Join(", ", known.DefaultIfEmpty("none"))})"]);
        }
        return Parse(project.Name, stack, file, text, project.Directory);
    }

    /// <param name="projectDirectory">
    /// The project's folder, to check that output folders stay inside it and apart from other stacks'; null skips that.
    /// </param>
    public static StackSpec Parse(string projectName, string stack, string fileName, string text, string? projectDirectory = null)
    {
        var errors = new List<string>();
        YamlMappingNode root;
        try
        {
            root = YamlTree.Load(text, errors) is YamlMappingNode m
                ? m
                : throw new ConfigException([$"{fileName}: must be a YAML mapping with a 'config' key"]);
        }
        catch (YamlException e)
        {
            throw new ConfigException([$"{fileName}:{YamlTree.Position(e, text)}: {e.InnerException?.Message ?? e.Message}"]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's parser gives up this way on some unclosed flow collections ("a: [" then a block key):
            // report where the last well-formed part ended.
            var at = YamlTree.LastGoodMark(text);
            throw new ConfigException([$"{fileName}:{at.Line}:{at.Column}: malformed YAML after this point (an unclosed '[' or '{{'?)"]);
        }

        var file = new YamlNodeReader(root, "", errors);
        var config = file.Map("config", required: true, resetPath: true);
        file.String("encryptionsalt");
        file.String("secretsprovider");
        file.RejectUnknownKeys();
        if (config is null) throw new ConfigException(errors.Select(e => $"{fileName}: {e}").ToList());

        var ns = projectName + ":";
        var clusterReader = config.Map(ns + "cluster", required: true);
        var providersReader = config.Map(ns + "providers", required: true);
        string? composeDirectory = null;
        if (config.Map(ns + "compose") is { } compose)
        {
            composeDirectory = compose.String("directory", required: true);
            compose.RejectUnknownKeys();
        }
        config.RejectUnknownKeys();

        var providerNames = providersReader?.Entries().Select(e => e.Key).ToList() ?? [];
        var providers = providersReader is null ? [] : ReadProviders(providersReader);
        var cluster = clusterReader is null ? null : ReadCluster(clusterReader, providers, providerNames);
        if (cluster is null) throw new ConfigException(errors);
        var spec = new StackSpec(stack, projectName, cluster, providers, composeDirectory);
        if (projectDirectory is not null) errors.AddRange(OutputDirectories.Check(spec, projectDirectory));
        // The rules across the stack run on whatever parsed, so one run reports key errors and rule errors together.
        errors.AddRange(CheckRules(spec, projectName, errors, out var warnings));
        if (errors.Count > 0) throw new ConfigException(errors);
        return spec with { Warnings = warnings };
    }

    /// <summary>
    /// The cross-stack rules' errors. While a datacenter, the arbiter or a provider has a key error of its own it is
    /// missing from what parsed, so the rules about the layout as a whole (survival of a provider's loss, the
    /// datacenters keyspaces and the Nebula mesh refer to) would report its absence: those wait for a valid layout.
    /// </summary>
    private static IReadOnlyList<string> CheckRules(StackSpec spec, string ns, IReadOnlyList<string> keyErrors, out IReadOnlyList<string> warnings)
    {
        (IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings) rules;
        try
        {
            rules = ClusterRules.Check(spec, ns);
        }
        catch (Exception) when (keyErrors.Count > 0)
        {
            warnings = []; // a rule could not make sense of the partial stack; the key errors come first
            return [];
        }
        warnings = rules.Warnings;
        var cluster = $"{ns}:cluster";
        string[] layoutKeys = [$"{cluster}.datacenters", $"{cluster}.arbiter", $"{ns}:providers"];
        if (!keyErrors.Any(e => layoutKeys.Any(k => e.StartsWith(k, StringComparison.Ordinal)))) return rules.Errors;
        string[] wholeLayoutRules = [$"{cluster}.datacenters:", $"{cluster}.keyspaces[", $"{cluster}.security: nebula mesh", $"{cluster}.ports.nebulaUdp:"];
        return [.. rules.Errors.Where(e => !wholeLayoutRules.Any(r => e.StartsWith(r, StringComparison.Ordinal)))];
    }

    /// <param name="providerNames">Every provider name, including those whose own settings are invalid (reported there).</param>
    private static ClusterSpec? ReadCluster(YamlNodeReader r, IReadOnlyList<ProviderSpec> providers, IReadOnlyList<string> providerNames)
    {
        var name = r.String("name", required: true);
        if (name is not null && !DnsLabel().IsMatch(name))
            r.Error("name", "must be a lowercase DNS label (a-z, 0-9, '-'; at most 40 characters), since node and service names derive from it");
        var image = r.String("image", required: true);
        if (image is not null && !InputRules.IsImageReference(image))
            r.Error("image", $"'{Printable(image)}' is not an image reference (no spaces or control characters; e.g. docker.io/scylladb/scylla:2025.1.4)");
        var securityText = r.String("security") ?? "tls";
        SecurityMode? security = securityText switch
        {
            "nebula" => SecurityMode.Nebula,
            "tls" => SecurityMode.Tls,
            "none" => SecurityMode.None,
            _ => null,
        };
        if (security is null) r.Error("security", $"must be one of nebula, tls, none; got '{securityText}'");
        var developerMode = r.Bool("developerMode") ?? false;

        NodeResources? resources = null;
        if (r.Map("nodeResources", required: true) is { } res)
        {
            var cpu = res.Quantity("cpu", true, Quantities.ParseCpu, "a positive number of CPUs (e.g. 2 or 500m)");
            var memory = res.Quantity("memory", true, s => Quantities.ParseBytes(s), "a memory size (e.g. 4Gi)");
            var disk = res.Quantity("disk", true, s => Quantities.ParseBytes(s), "a disk size (e.g. 20Gi)");
            if (memory is { } m && m < NodeResources.MinimumMemoryBytes)
                res.Error("memory", $"must be at least 1.5Gi (1536Mi): ScyllaDB needs 1.5 GiB per container; got {Quantities.FormatBytes((long)m)}");
            if (disk is { } d && d < 1L << 30) res.Error("disk", "must be at least 1Gi");
            res.RejectUnknownKeys();
            if (cpu is not null && memory is not null && disk is not null) resources = new NodeResources(cpu.Value, (long)memory.Value, (long)disk.Value);
        }

        var datacenters = new List<DatacenterSpec>();
        var dcReaders = r.ListOfMaps("datacenters", required: true);
        if (dcReaders.Count == 0 && r.Errors.All(e => !e.StartsWith(r.Path + ".datacenters", StringComparison.Ordinal)))
            r.Error("datacenters", "must list at least one datacenter");
        foreach (var dc in dcReaders)
        {
            var dcName = dc.String("name", required: true);
            var provider = dc.String("provider", required: true);
            var nodes = dc.Int("nodes", required: true, min: 1);
            var racks = dc.StringList("racks");
            dc.RejectUnknownKeys();
            if (dcName is not null && !DnsLabel().IsMatch(dcName)) dc.Error("name", "must be a lowercase DNS label (a-z, 0-9, '-')");
            foreach (var rack in racks ?? [])
                if (!InputRules.IsDnsLabel(rack))
                    dc.Error("racks", $"'{Printable(rack)}' is not a lowercase DNS label (a-z, 0-9, '-'; at most 63 characters): racks go into cassandra-rackdc.properties and labels");
            if (dcName is not null && datacenters.Any(d => d.Name == dcName)) dc.Error("name", $"duplicate datacenter name '{dcName}'");
            if (provider is not null && !providerNames.Contains(provider))
                dc.Error("provider", $"names provider '{provider}', which is not under scylla-apocryph:providers (known: {string.Join(", ", providerNames.DefaultIfEmpty("none"))})");
            else if (provider is not null && datacenters.Any(d => d.Provider == provider))
                dc.Error("provider", $"provider '{provider}' already hosts datacenter '{datacenters.First(d => d.Provider == provider).Name}': one datacenter per provider");
            if (dcName is not null && provider is not null && nodes is not null && providers.Any(p => p.Name == provider)) datacenters.Add(new DatacenterSpec(dcName, provider, nodes.Value, racks));
        }
        ArbiterSpec? arbiter = null;
        if (r.Map("arbiter") is { } a)
        {
            var arbiterProvider = a.String("provider", required: true);
            var arbiterDc = a.String("datacenter") ?? "arbiter";
            a.RejectUnknownKeys();
            if (!DnsLabel().IsMatch(arbiterDc)) a.Error("datacenter", $"'{Printable(arbiterDc)}' is not a lowercase DNS label (a-z, 0-9, '-')");
            if (arbiterProvider is not null && !providerNames.Contains(arbiterProvider))
                a.Error("provider", $"names provider '{arbiterProvider}', which is not under scylla-apocryph:providers");
            else if (arbiterProvider is not null && providers.Any(p => p.Name == arbiterProvider)) arbiter = new ArbiterSpec(arbiterProvider, arbiterDc);
        }
        var ports = new PortSpec();
        if (r.Map("ports") is { } p)
        {
            var defaults = new PortSpec();
            int Port(string key, int fallback) => p.Int(key, min: 1, max: InputRules.MaxPort) ?? fallback;
            ports = new PortSpec(Port("storage", defaults.Storage), Port("sslStorage", defaults.SslStorage), Port("cql", defaults.Cql),
                Port("cqlTls", defaults.CqlTls), Port("nebulaUdp", defaults.NebulaUdp))
            {
                CqlShardAwareTls = Port("cqlShardAwareTls", defaults.CqlShardAwareTls),
                Agent = Port("agent", defaults.Agent),
            };
            p.RejectUnknownKeys();
        }
        var keyspaces = new List<KeyspaceSpec>();
        foreach (var k in r.ListOfMaps("keyspaces"))
        {
            var ksName = k.String("name", required: true);
            Dictionary<string, int>? replication = null;
            if (k.Map("replication") is { } rep)
            {
                replication = [];
                foreach (var (dcKey, _) in rep.Entries().ToList())
                    if (rep.Int(dcKey, required: true, min: 0) is { } rf) replication[dcKey] = rf;
            }
            k.RejectUnknownKeys();
            if (ksName is not null && !InputRules.IsKeyspaceName(ksName))
                k.Error("name", $"'{Printable(ksName)}' is not a keyspace name: a letter, then letters, digits or '_', at most 48 characters");
            else if (ksName is not null && keyspaces.Any(x => x.Name.Equals(ksName, StringComparison.OrdinalIgnoreCase)))
                k.Error("name", $"keyspace '{ksName}' is listed twice (CQL names are case-insensitive)");
            else if (ksName is not null) keyspaces.Add(new KeyspaceSpec(ksName, replication));
        }
        var allowFragile = r.Bool("allowFragileTopology") ?? false;
        var failureDetector = r.Int("failureDetectorTimeoutMs", min: 1000);
        var overlay = r.String("overlayCidr");
        if (overlay is not null && (!System.Net.IPNetwork.TryParse(overlay, out var net) || net.PrefixLength > 16 || net.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
            r.Error("overlayCidr", $"must be an IPv4 network of /16 or larger, e.g. {Defaults.OverlayCidr}; got '{overlay}'");
        var superuser = r.String("superuserName");
        if (superuser is not null && !InputRules.IsRoleName(superuser))
            r.Error("superuserName", $"'{Printable(superuser)}' is not a role name: a letter, then letters, digits or '_', at most 48 characters");
        var agentImage = r.String("agentImage");
        if (agentImage is not null && !InputRules.IsImageReference(agentImage))
            r.Error("agentImage", $"'{Printable(agentImage)}' is not an image reference (no spaces or control characters)");
        MembershipProofSpec? proof = null;
        if (r.Map("membershipProof") is { } mp)
        {
            var keyEnv = mp.String("keyEnv");
            var keyFile = mp.String("keyFile");
            var address = mp.String("address");
            foreach (var forbidden in new[] { "privateKey", "key" })
                if (mp.String(forbidden) is not null) mp.Error(forbidden, "the wallet key never goes into the stack file; name an environment variable (keyEnv) or a file (keyFile)");
            mp.RejectUnknownKeys();
            if ((keyEnv is null) == (keyFile is null)) mp.Error("keyEnv", "give exactly one of keyEnv and keyFile");
            else proof = new MembershipProofSpec(keyEnv, keyFile, address);
        }
        ReconciliationSpec? membership = null;
        if (r.Map("membership") is { } ms)
        {
            var hooks = Url(ms, "hooks");
            var group = ms.String("operatorGroup", required: true);
            var retired = ms.StringList("retiredDatacenters") ?? [];
            foreach (var dc in retired.Where(d => datacenters.Any(x => x.Name == d)))
                ms.Error("retiredDatacenters", $"'{dc}' is still a datacenter of the stack; list a datacenter here only once it is removed from datacenters and no keyspace replicates there");
            ms.RejectUnknownKeys();
            if (hooks is not null && group is not null) membership = new ReconciliationSpec(hooks, group) { RetiredDatacenters = retired };
        }
        PkiSpec? pki = null;
        if (r.Map("pki") is { } pk)
        {
            pki = new PkiSpec(pk.String("caDuration"), pk.String("certDuration"), pk.String("renewBefore"), pk.Int("caRotation", min: 0) ?? 0);
            pk.RejectUnknownKeys();
        }
        AutoscalerSpec? autoscaler = null;
        if (r.Map("autoscaler") is { } au)
        {
            var endpoint = Url(au, "endpoint");
            var gateway = au.String("nodeGateway", required: true);
            var servers = au.StringList("servers");
            var timeout = au.Int("timeoutSeconds", min: 1);
            au.RejectUnknownKeys();
            if (servers is null or { Count: 0 }) au.Error("servers", "is required: the autoscaler instances (three for a Raft quorum)");
            var badServers = (servers ?? []).Select((s, i) => (i, Problem: AutoscalerServerAddress.Problem(s))).Where(p => p.Problem is not null).ToList();
            foreach (var (i, problem) in badServers) au.Error($"servers[{i}]", problem!);
            if (servers is { Count: > 0 } && badServers.Count == 0 && endpoint is not null && gateway is not null)
                autoscaler = new AutoscalerSpec(endpoint, gateway, servers, timeout ?? Defaults.AutoscalerTimeoutSeconds);
        }
        var nebulaImage = r.String("nebulaImage");
        var numTokens = r.Int("numTokens", min: 1);
        var tabletsText = r.String("tablets");
        TabletsMode? tablets = tabletsText switch
        {
            null => null,
            "enabled" => TabletsMode.Enabled,
            "disabled" => TabletsMode.Disabled,
            "enforced" => TabletsMode.Enforced,
            _ => null,
        };
        if (tabletsText is not null && tablets is null) r.Error("tablets", $"must be one of enabled, disabled, enforced; got '{tabletsText}'");
        r.RejectUnknownKeys();
        NodePorts.CheckDistinct(ports, agentImage is not null, r);
        if (name is null || image is null || security is null || resources is null) return null;
        return new ClusterSpec(name, image, security.Value, resources, datacenters, developerMode)
        {
            NumTokens = numTokens ?? ImageScyllaYaml.NumTokens,
            Tablets = tablets ?? ImageScyllaYaml.Tablets,
            NebulaImage = nebulaImage ?? Components.Mesh.NebulaRelease.DefaultImage,
            Arbiter = arbiter,
            AllowFragileTopology = allowFragile,
            Ports = ports,
            Keyspaces = keyspaces,
            FailureDetectorTimeoutMs = failureDetector ?? Defaults.FailureDetectorTimeoutMs,
            OverlayCidr = overlay ?? Defaults.OverlayCidr,
            SuperuserName = superuser ?? "scylla_admin",
            MembershipProof = proof,
            AgentImage = agentImage,
            Membership = membership,
            Autoscaler = autoscaler,
            Pki = pki ?? new PkiSpec(),
        };
    }

    private static List<ProviderSpec> ReadProviders(YamlNodeReader r)
    {
        var result = new List<ProviderSpec>();
        foreach (var (name, reader) in r.Entries())
        {
            if (reader is null)
            {
                r.Error(name, "must be a mapping with a 'kind'");
                continue;
            }
            if (!DnsLabel().IsMatch(name)) r.Error(name, "provider names must be lowercase DNS labels (a-z, 0-9, '-')");
            var kindText = reader.String("kind", required: true);
            ProviderKind? kind = kindText switch
            {
                "render" => ProviderKind.Render,
                "kubernetes" => ProviderKind.Kubernetes,
                "apocryph" => ProviderKind.Apocryph,
                null => null,
                _ => null,
            };
            if (kindText is not null && kind is null) reader.Error("kind", $"must be one of render, kubernetes, apocryph; got '{kindText}'");
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            var selecting = kind == ProviderKind.Apocryph && ApocryphSelectionSettings.Read(reader, settings);
            foreach (var setting in kind is null ? [] : ProviderSettings.For(kind.Value))
            {
                if (reader.String(setting.Key, setting.Required && !(selecting && ApocryphSelectionSettings.GivenKeys.Contains(setting.Key))) is not { } value) continue;
                if (ProviderSettings.Problem(setting.Key, value) is { } problem) reader.Error(setting.Key, problem);
                else settings[setting.Key] = value;
            }
            if (kind is null) continue; // its settings cannot be checked without a valid kind
            if (kind == ProviderKind.Apocryph)
                foreach (var (key, message) in ApocryphSettingRules.Check(settings)) reader.Error(key, message);
            reader.RejectUnknownKeys();
            result.Add(new ProviderSpec(name, kind.Value, settings));
        }
        return result;
    }

    private static Uri? Url(YamlNodeReader r, string key)
    {
        var text = r.String(key, required: true);
        if (text is null) return null;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return uri;
        r.Error(key, $"must be an absolute http(s) URL, got '{text}'");
        return null;
    }

    internal static string EmbeddedLocalStack()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Pulumi.local.yaml")
            ?? throw new InvalidOperationException("the embedded local stack is missing from this build");
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>Text to quote in an error: control characters shown escaped, so an error stays one line.</summary>
    internal static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
