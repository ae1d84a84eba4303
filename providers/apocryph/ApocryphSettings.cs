namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// How this program reaches Apocryph for one provider entry of the stack: the chain (JSON-RPC URL and the Payment
/// contract the provider accepts), the wallet key's environment variable, and the local Kubo daemon's HTTP API
/// (for providers given by peer id). Read from <c>scylla-apocryph:providers.&lt;name&gt;</c>.
/// </summary>
public sealed record ApocryphSettings(Uri RpcUrl, string PaymentContract, string WalletKeyEnv, Uri KuboApi)
{
    /// <summary>Kubo's default API address.</summary>
    public static readonly Uri DefaultKuboApi = new("http://127.0.0.1:5001/");
}
