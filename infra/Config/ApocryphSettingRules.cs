using System.Globalization;
using System.Numerics;
using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Infra.Config;

/// <summary>The forms the settings of an Apocryph provider entry must have; each failure names its key.</summary>
public static class ApocryphSettingRules
{
    public static IEnumerable<(string Key, string Message)> Check(IReadOnlyDictionary<string, string> settings)
    {
        foreach (var key in new[] { "rpcUrl", "kuboApi", "providerUrl" })
        {
            if (settings.GetValueOrDefault(key) is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                yield return (key, $"must be an absolute http(s) URL, got '{url}'");
        }
        foreach (var key in new[] { "ethAddress", "paymentContract" })
        {
            if (settings.GetValueOrDefault(key) is { } address && !IsAddress(address))
                yield return (key, $"must be an Ethereum address (0x and 40 hex digits), got '{address}'");
        }
        if (settings.GetValueOrDefault("funds") is { } funds && !(BigInteger.TryParse(funds, NumberStyles.None, CultureInfo.InvariantCulture, out var f) && f > 0))
            yield return ("funds", $"must be a positive whole number (the payment token's smallest unit), got '{funds}'");
        if (settings.GetValueOrDefault("unlockSeconds") is { } unlock && !long.TryParse(unlock, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            yield return ("unlockSeconds", $"must be a whole number of seconds, got '{unlock}'");
        if (settings.GetValueOrDefault("secrets") is { } secrets && secrets is not ("ipfs" or "contents"))
            yield return ("secrets", $"must be ipfs (encrypted and pinned on Kubo, sent as cid + key) or contents (inside the manifest), got '{secrets}'");
        if (settings.GetValueOrDefault("walletKeyEnv") is { } env && MembershipProofSpec.LooksLikePrivateKey(env))
            yield return ("walletKeyEnv", "holds what looks like a private key, not an environment variable name; remove it, treat the key as leaked, and name the variable that holds the key");
        if (settings.ContainsKey(ApocryphSelectionSettings.Marker))
        {
            foreach (var key in ApocryphSelectionSettings.GivenKeys.Where(settings.ContainsKey))
                yield return (key, "cannot be given together with select: an entry either gives its provider (ethAddress, providerId or providerUrl, publicHost) or selects one from the Registry");
            yield break;
        }
        if (!settings.ContainsKey("providerId") && !settings.ContainsKey("providerUrl"))
            yield return ("providerId", "is required unless providerUrl is given (the provider's libp2p peer id, reached through Kubo)");
    }

    private static bool IsAddress(string text) =>
        text.Length == 42 && text.StartsWith("0x", StringComparison.Ordinal) && text[2..].All(Uri.IsHexDigit);
}
