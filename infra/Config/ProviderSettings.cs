using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Infra.Config;

/// <summary>The settings each provider kind accepts under <c>scylla-apocryph:providers.&lt;name&gt;</c>.</summary>
public static class ProviderSettings
{
    public sealed record Setting(string Key, bool Required, string Description);

    public static IReadOnlyList<Setting> For(ProviderKind kind) => kind switch
    {
        ProviderKind.Render =>
        [
            new("directory", true, "where the files are written, relative to the project directory"),
            new("publicHost", false, "nebula mode: the address where the rendered nodes' Nebula NodePorts will be reached"),
        ],
        ProviderKind.Kubernetes =>
        [
            new("context", true, "the kubeconfig context (e.g. a minikube profile)"),
            new("kubeconfig", false, "path of the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)"),
            new("namespace", false, "namespace for the cluster's objects (default: the cluster name)"),
            new("storageClass", false, "storage class of the data volumes (default: the cluster's default)"),
            new("publicHost", false, "nebula mode: the address where this cluster's nodes receive Nebula UDP (their NodePorts)"),
            new("awaitTimeout", false, "how long up waits for each object to become ready, e.g. 20m (default 10m)"),
            new("skipAwait", false, "true: up does not wait for objects to become ready (default false)"),
            new("priorityClass", false, "PriorityClass name for the database pods (default: none)"),
            new("nodeSetup", false, "true: a privileged DaemonSet raises fs.aio-max-nr on every Kubernetes node (default false)"),
        ],
        ProviderKind.Apocryph =>
        [
            new("providerId", false, "the provider's libp2p peer id, reached through the local Kubo daemon (or give providerUrl)"),
            new("providerUrl", false, "the provider's ProvisionPodService URL, called directly instead of through Kubo"),
            new("ethAddress", true, "the provider's Ethereum address (the payment channel's provider); not with select (see ApocryphSelectionSettings)"),
            new("publicHost", true, "the host name or IP address where the provider exposes TCP NodePorts; not with select"),
            new("rpcUrl", true, "the chain's JSON-RPC URL (http or https)"),
            new("paymentContract", true, "the address of the Payment contract the provider accepts"),
            new("walletKeyEnv", true, "the environment variable that holds the publisher's wallet key (never the key itself)"),
            new("funds", true, "what each node's payment channel holds, in the payment token's smallest unit"),
            new("unlockSeconds", false, "the channel's unlock time: how long after destroy asks for the money back it returns (default 3600)"),
            new("kuboApi", false, "the local Kubo daemon's HTTP API (default http://127.0.0.1:5001)"),
            new("secrets", false, "ipfs (default, as tpodctl): secret files are encrypted, pinned on Kubo and sent as cid + key; contents: sent inside the manifest"),
        ],
        _ => [],
    };

    /// <summary>
    /// Why a setting's value cannot be used, or null. Values reach file paths, kubeconfig lookups, certificate SANs
    /// and Kubernetes objects, so each must have the shape its use needs (render directories are confined to the
    /// project separately, see <see cref="OutputDirectories"/>).
    /// </summary>
    public static string? Problem(string key, string value) => key switch
    {
        _ when !InputRules.IsOneLine(value) => "must be one line of text without control characters",
        "namespace" when !InputRules.IsDnsLabel(value) => $"'{value}' is not a Kubernetes namespace name (a lowercase DNS label: a-z, 0-9, '-', at most 63)",
        "publicHost" when !InputRules.IsHost(value) => $"'{value}' is not a host name or IP address",
        "storageClass" or "providerId" or "ethAddress" when value.Any(char.IsWhiteSpace) => $"'{value}' may not contain spaces",
        _ => null,
    };
}
