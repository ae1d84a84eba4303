namespace ScyllaApocryph.Components.Cluster;

/// <summary>How nodes reach each other: an encrypted overlay, TLS on the wire, or plain TCP (trials only).</summary>
public enum SecurityMode
{
    Nebula,
    Tls,
    None,
}

/// <summary>Per-node container resources; memory and disk in bytes.</summary>
public sealed record NodeResources(double Cpu, long MemoryBytes, long DiskBytes)
{
    /// <summary>ScyllaDB needs at least 1.5 GiB per container.</summary>
    public const long MinimumMemoryBytes = 1536L * 1024 * 1024;
}

/// <summary>One datacenter: a set of nodes on one hosting provider.</summary>
public sealed record DatacenterSpec(string Name, string Provider, int Nodes);

/// <summary>The validated <c>scylla-apocryph:cluster</c> configuration.</summary>
public sealed record ClusterSpec(
    string Name,
    string Image,
    SecurityMode Security,
    NodeResources Resources,
    IReadOnlyList<DatacenterSpec> Datacenters,
    bool DeveloperMode = false);

/// <summary>Kinds of hosting provider a datacenter can live on.</summary>
public enum ProviderKind
{
    /// <summary>Writes everything a deployment needs to a directory.</summary>
    Render,
    Kubernetes,
    Apocryph,
}

/// <summary>One entry of <c>scylla-apocryph:providers</c>: a name, a kind and its settings.</summary>
public sealed record ProviderSpec(string Name, ProviderKind Kind, IReadOnlyDictionary<string, string> Settings);

/// <summary>Everything a stack file configures.</summary>
public sealed record StackSpec(string Stack, string Project, ClusterSpec Cluster, IReadOnlyList<ProviderSpec> Providers)
{
    public ProviderSpec Provider(string name) => Providers.Single(p => p.Name == name);
}
