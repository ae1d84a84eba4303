namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// How a pod's secret files reach its provider (provider setting <c>secrets</c>):
/// <c>ipfs</c> (the default, as upstream's tpodctl does): each file is encrypted with a fresh AES-256-GCM key,
/// added to the local Kubo and pinned, and the manifest carries only its `cid` and `key`; the provider fetches it
/// from IPFS and decrypts it. <c>contents</c>: the file travels inside the manifest (a provider accepts this when
/// called directly), so only the provisioning connection protects it.
/// </summary>
public static class SecretDelivery
{
    public const string Ipfs = "ipfs";
    public const string Contents = "contents";
    public const string Default = Components.Cluster.ScyllaCluster.DefaultSecretDelivery;

    public static bool IsKnown(string? value) => value is Ipfs or Contents;
}
