namespace ScyllaApocryph.Infra.ProviderChoice;

/// <summary>
/// The provider an entry's selection chose, as recorded in the stack's state: what the plan needs (address, peer
/// id, public host) and, for people, the pricing table and one node's cost per second when it was chosen.
/// </summary>
public sealed record RecordedChoice(string EthAddress, string ProviderId, string PublicHost, string RegistryContract, string PricingTable, string CostPerSecond);
