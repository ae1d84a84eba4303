using System.Globalization;
using System.Numerics;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Providers.Apocryph.Registry;

namespace ScyllaApocryph.Infra.Config;

/// <summary>
/// The selection form of an Apocryph provider entry: instead of ethAddress, providerId and publicHost, a
/// <c>select</c> mapping chooses the provider from the Registry (see ProviderChoices, which resolves it before
/// planning). Its keys are kept in the entry's settings under "select.", so the rest of the program sees one flat map:
///
///   select:
///     registryContract: "0x…"      the Registry contract (required)
///     region: bul-east-1           a region of the provider's profile, name-zone-number
///     teeType: SEV-SNP             text the pricing table's TEE type contains
///     cpuModel: EPYC               text the pricing table's CPU model contains
///     maxPrice:                    highest accepted price per resource unit and second, in the token's smallest unit
///       cpu / ram / storage / bandwidthEgress / bandwidthIngress
/// </summary>
internal static class ApocryphSelectionSettings
{
    public const string Marker = "select";
    private const string Prefix = "select.";
    private static readonly string[] PriceKeys = ["cpu", "ram", "storage", "bandwidthEgress", "bandwidthIngress"];

    /// <summary>The keys a given provider has, which a selection replaces.</summary>
    public static readonly string[] GivenKeys = ["ethAddress", "providerId", "providerUrl", "publicHost"];

    /// <summary>Reads the entry's select mapping, if it has one, into <paramref name="settings"/>; true when it has.</summary>
    public static bool Read(YamlNodeReader entry, Dictionary<string, string> settings)
    {
        if (entry.Map(Marker) is not { } select) return false;
        settings[Marker] = "true";
        if (select.String("registryContract", required: true) is { } registry)
        {
            if (IsAddress(registry)) settings[Prefix + "registryContract"] = registry;
            else select.Error("registryContract", $"must be an Ethereum address (0x and 40 hex digits), got '{Printable(registry)}'");
        }
        if (select.String("region") is { } region)
        {
            if (RegistryRegion.Parse(region, out var problem) is not null) settings[Prefix + "region"] = region;
            else select.Error("region", problem!);
        }
        foreach (var key in new[] { "teeType", "cpuModel" })
        {
            if (select.String(key) is not { } text) continue;
            if (InputRules.IsOneLine(text)) settings[Prefix + key] = text;
            else select.Error(key, "must be one line of text without control characters");
        }
        if (select.Map("maxPrice") is { } prices)
        {
            foreach (var key in PriceKeys)
            {
                if (prices.String(key) is not { } price) continue;
                if (BigInteger.TryParse(price, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p < BigInteger.Pow(2, 256))
                    settings[Prefix + "maxPrice." + key] = p.ToString(CultureInfo.InvariantCulture);
                else prices.Error(key, $"must be a whole number of the payment token's smallest unit per unit and second, got '{Printable(price)}'");
            }
            prices.RejectUnknownKeys();
        }
        select.RejectUnknownKeys();
        return true;
    }

    /// <summary>The entry's selection, or null for an entry that gives its provider.</summary>
    public static ProviderSelection? Of(ProviderSpec provider)
    {
        if (provider.Setting(Prefix + "registryContract") is not { } registry) return null;
        BigInteger? Price(string key) => provider.Setting(Prefix + "maxPrice." + key) is { } p ? BigInteger.Parse(p, CultureInfo.InvariantCulture) : null;
        return new ProviderSelection(
            registry,
            provider.Setting(Prefix + "region") is { } r ? RegistryRegion.Parse(r, out _) : null,
            provider.Setting(Prefix + "teeType"),
            provider.Setting(Prefix + "cpuModel"),
            new PriceLimits(Price("cpu"), Price("ram"), Price("storage"), Price("bandwidthEgress"), Price("bandwidthIngress")));
    }

    private static bool IsAddress(string text) =>
        text.Length == 42 && text.StartsWith("0x", StringComparison.Ordinal) && text[2..].All(Uri.IsHexDigit);

    private static string Printable(string text) => StackConfigLoader.Printable(text);
}
