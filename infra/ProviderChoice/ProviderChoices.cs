using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Infra.Config;
using ScyllaApocryph.Providers.Apocryph.Registry;

namespace ScyllaApocryph.Infra.ProviderChoice;

/// <summary>How far a command resolves the stack's Registry selections.</summary>
public enum ChoiceMode
{
    /// <summary>refresh, destroy, stack output: only what is recorded; nothing is read from the Registry.</summary>
    Recorded,

    /// <summary>preview and up: recorded choices are kept (and compared with the Registry); the rest are chosen, pending until recorded.</summary>
    Plan,
}

/// <summary>
/// Resolves the Apocryph entries that select their provider from the Registry, before planning: a node's address
/// (the provider's public host) goes into seeds, certificates and scylla.yaml, so it must be known at plan time.
/// A choice, once recorded in the stack's state, is what every later plan uses; a later run whose best candidate
/// differs keeps it and says so, and only <c>provider choose --move</c> moves it (which replaces that datacenter's
/// nodes). Entries are resolved in name order, each leaving out the providers other entries use.
/// </summary>
public sealed class ProviderChoices(string stateDirectory, string stack)
{
    private static readonly Lazy<HttpClient> Http = new(() => new HttpClient { Timeout = TimeSpan.FromSeconds(30) });

    private Dictionary<string, RecordedChoice> _recorded = [];
    private readonly Dictionary<string, RecordedChoice> _pending = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];

    /// <summary>What people should read: choices made, choices kept though the Registry now prefers another.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Choices made by this run and not recorded yet.</summary>
    public IReadOnlyDictionary<string, RecordedChoice> Pending => _pending;

    public async Task<StackSpec> ResolveAsync(StackSpec spec, ChoiceMode mode, CancellationToken ct) =>
        await ResolveAsync(spec, mode, new HashSet<string>(), ct);

    /// <param name="move">Entries to choose again even though a choice is recorded (provider choose --move).</param>
    public async Task<StackSpec> ResolveAsync(StackSpec spec, ChoiceMode mode, IReadOnlySet<string> move, CancellationToken ct)
    {
        _recorded = new Dictionary<string, RecordedChoice>(ChoiceFile.Load(stateDirectory), StringComparer.Ordinal);
        var selecting = spec.Providers.Where(p => p.Kind == ProviderKind.Apocryph && ApocryphSelectionSettings.Of(p) is not null)
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        if (selecting.Count == 0) return spec;
        RefuseEditedValues();
        var used = ProvidersInUse(spec, selecting, move);
        var resources = spec.Cluster.Resources;
        var demand = new NodeDemand((long)Math.Round(resources.Cpu * 1000), resources.MemoryBytes, resources.DiskBytes);
        var resolved = new Dictionary<string, RecordedChoice>(StringComparer.Ordinal);
        foreach (var provider in selecting)
        {
            var entry = new Entry(provider, ApocryphSelectionSettings.Of(provider)!, $"{spec.Project}:providers.{provider.Name}", demand,
                used.Where(u => u.Value != provider.Name).Select(u => u.Key.ToLowerInvariant()).ToHashSet());
            if (await ResolveEntryAsync(entry, mode, move.Contains(provider.Name), used, ct) is { } choice) resolved[provider.Name] = choice;
        }
        var result = spec with { Providers = [.. spec.Providers.Select(p => resolved.TryGetValue(p.Name, out var c) ? Apply(p, c) : p)] };
        RefuseSharedProviders(result, resolved.Keys.ToHashSet());
        return result;
    }

    /// <summary>One entry with a selection, and the providers the stack's other entries use.</summary>
    private sealed record Entry(ProviderSpec Provider, ProviderSelection Selection, string Key, NodeDemand Demand, IReadOnlySet<string> OthersUse)
    {
        public string Name => Provider.Name;
    }

    /// <summary>The entry's provider for this run: the recorded one unless moved, else the Registry's best (pending).</summary>
    private async Task<RecordedChoice?> ResolveEntryAsync(Entry entry, ChoiceMode mode, bool moving, Dictionary<string, string> used, CancellationToken ct)
    {
        _recorded.TryGetValue(entry.Name, out var recorded);
        if (recorded is not null && !moving)
        {
            if (mode == ChoiceMode.Plan) await CompareAsync(entry, recorded, ct);
            return recorded;
        }
        if (mode == ChoiceMode.Recorded) return null;
        var market = await MarketAsync(entry, ct);
        if (market.Ranking.Best is not { } best) throw new NoProviderMatchesException(NoMatch(entry, market, used));
        var choice = Record(best, entry.Selection);
        used[best.Address] = entry.Name;
        if (recorded is not null && SameProvider(recorded, choice))
        {
            _notes.Add($"{entry.Key}: {Describe(recorded)} stays: it is still the Registry's best match");
            return recorded;
        }
        _pending[entry.Name] = choice;
        _notes.Add(recorded is null
            ? $"{entry.Key}: the Registry's best match is {Describe(choice)} ({entry.Selection.Describe()})"
            : $"{entry.Key}: moves from {Describe(recorded)} to {Describe(choice)}; the next up replaces this datacenter's nodes " +
              $"with new, empty ones on the new provider, and deletes those on {recorded.EthAddress} with their data");
        return choice;
    }

    /// <summary>Recorded values reach the plan like given settings, so they must pass the same checks (the file could have been edited).</summary>
    private void RefuseEditedValues()
    {
        foreach (var (name, c) in _recorded)
            if (ValueProblem(c) is { } problem)
                throw new ConfigException([$"{Path.Combine(stateDirectory, ChoiceFile.FileName)}: the choice of '{name}' {problem}; fix or delete it"]);
    }

    /// <summary>Provider address -> entry, for the providers given by entries and the recorded choices that stay.</summary>
    private Dictionary<string, string> ProvidersInUse(StackSpec spec, IReadOnlyList<ProviderSpec> selecting, IReadOnlySet<string> move)
    {
        var used = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in spec.Providers.Where(p => p.Kind == ProviderKind.Apocryph))
        {
            if (p.Setting("ethAddress") is { } given) used[given] = p.Name;
            else if (selecting.Contains(p) && !move.Contains(p.Name) && _recorded.TryGetValue(p.Name, out var r)) used[r.EthAddress] = p.Name;
        }
        return used;
    }

    /// <summary>A recorded choice and a given entry (added later) can name the same provider: refused, as choosing never would.</summary>
    private static void RefuseSharedProviders(StackSpec spec, IReadOnlySet<string> chosen)
    {
        var shared = spec.Providers.Where(p => p.Kind == ProviderKind.Apocryph && p.Setting("ethAddress") is not null)
            .GroupBy(p => p.Setting("ethAddress")!, StringComparer.OrdinalIgnoreCase)
            .FirstOrDefault(g => g.Count() > 1 && g.Any(p => chosen.Contains(p.Name)));
        if (shared is null) return;
        throw new ConfigException([$"{spec.Project}:providers.{shared.Last().Name}: entries {string.Join(" and ", shared.Select(p => $"'{p.Name}'"))} " +
                                   $"use the same provider {shared.Key}, but its NodePorts and public host serve one node per cluster; " +
                                   "give each datacenter a provider of its own"]);
    }

    /// <summary>
    /// Under the Pulumi CLI (which keeps its own state and runs no confirmation step of ours) only recorded choices
    /// are used: an entry with select and no recorded choice is refused with the command that records one.
    /// </summary>
    /// <param name="projectDirectory">Asked only when the stack selects a provider (a stack from PULUMI_CONFIG may have no project folder).</param>
    public static async Task<StackSpec> RecordedOnlyAsync(StackSpec spec, Func<string> projectDirectory, string stack, CancellationToken ct)
    {
        if (!spec.Providers.Any(p => ApocryphSelectionSettings.Of(p) is not null)) return spec;
        var resolved = await new ProviderChoices(Path.Combine(projectDirectory(), ".state", stack), stack).ResolveAsync(spec, ChoiceMode.Recorded, ct);
        var open = resolved.Providers.Where(p => ApocryphSelectionSettings.Of(p) is not null && p.Setting("ethAddress") is null).Select(p => p.Name).ToList();
        if (open.Count > 0)
            throw new ConfigException([.. open.Select(name => $"{spec.Project}:providers.{name}.select: no provider is recorded for this selection yet; " +
                                                              $"run `scylla-apocryph provider choose --stack {stack}` in the project first")]);
        return resolved;
    }

    /// <summary>Writes the pending choices into the stack's state (the caller holds the stack lock).</summary>
    public IReadOnlyList<string> Record()
    {
        if (_pending.Count == 0) return [];
        foreach (var (name, c) in _pending) _recorded[name] = c;
        ChoiceFile.Save(stateDirectory, _recorded);
        var lines = _pending.Select(p => $"{p.Key}: recorded {Describe(p.Value)} in stack {stack}'s state").ToList();
        _pending.Clear();
        return lines;
    }

    private async Task CompareAsync(Entry entry, RecordedChoice recorded, CancellationToken ct)
    {
        RegistryMarket.Result market;
        try
        {
            market = await MarketAsync(entry, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _notes.Add($"{entry.Key}: keeps {Describe(recorded)} (recorded); the Registry could not be read to compare: {e.Message}");
            return;
        }
        var mine = market.Ranking.Candidates.FirstOrDefault(c => c.Address.Equals(recorded.EthAddress, StringComparison.OrdinalIgnoreCase));
        var move = $"to move, run: provider choose --stack {stack} --move {entry.Name} (this replaces the datacenter's nodes; their data is lost)";
        var kept = $"{entry.Key}: keeps {Describe(recorded)} (recorded)";
        if (market.Ranking.Best is not { } best)
            _notes.Add($"{kept}, though no provider in the Registry matches the selection any more ({entry.Selection.Describe()})");
        else if (mine is null)
            _notes.Add($"{kept}, though it no longer matches the selection; the best match now is {best.Address} at {best.CostPerSecond} per second; {move}");
        else if (!best.Address.Equals(recorded.EthAddress, StringComparison.OrdinalIgnoreCase))
            _notes.Add($"{kept}, now {mine.CostPerSecond} per second for one node; the Registry's best match is now {best.Address} " +
                       $"at {best.CostPerSecond}; {move}");
        else if (mine.Profile.PeerId != recorded.ProviderId || mine.Profile.PublicHost != recorded.PublicHost)
            _notes.Add($"{kept}, though its profile now gives peer {mine.Profile.PeerId} and host {mine.Profile.PublicHost}; " +
                       $"to take them, run: provider choose --stack {stack} --move {entry.Name}");
    }

    private static async Task<RegistryMarket.Result> MarketAsync(Entry entry, CancellationToken ct)
    {
        var kubo = entry.Provider.Setting("kuboApi") is { } k ? new Uri(k.EndsWith('/') ? k : k + "/") : Providers.Apocryph.ApocryphSettings.DefaultKuboApi;
        var market = new RegistryMarket(new Nethereum.Web3.Web3(entry.Provider.Settings["rpcUrl"]), Http.Value, kubo);
        return await market.RankAsync(entry.Selection, entry.Provider.Settings["paymentContract"], entry.Demand, entry.OthersUse, ct);
    }

    private static string NoMatch(Entry entry, RegistryMarket.Result market, IReadOnlyDictionary<string, string> used)
    {
        var r = market.Ranking;
        var why = new List<string>
        {
            $"the Registry lists {market.TablesForToken} pricing table(s) in the payment token {market.Token}, {r.TablesMatching} within the filters",
        };
        if (r.TablesMatching > 0 && r.OutsideRegion.Count + r.Unusable.Count + r.Taken.Count == 0) why.Add("no provider subscribes to them");
        if (r.OutsideRegion.Count > 0) why.Add($"not in region {entry.Selection.Region}: {string.Join(", ", r.OutsideRegion)}");
        foreach (var (address, problem) in r.Unusable) why.Add($"{address} left out: {problem}");
        foreach (var address in r.Taken) why.Add($"{address} is used by entry '{used.GetValueOrDefault(address, "?")}' (one datacenter per provider)");
        return $"{entry.Key}.select: no provider in the Registry {entry.Selection.RegistryContract} matches ({entry.Selection.Describe()}): " +
               $"{string.Join("; ", why)}. Nothing was changed";
    }

    private static RecordedChoice Record(ProviderCandidate c, ProviderSelection selection) =>
        new(c.Address, c.Profile.PeerId, c.Profile.PublicHost, selection.RegistryContract, $"#{c.Table.Id}", c.CostPerSecond);

    private static bool SameProvider(RecordedChoice a, RecordedChoice b) =>
        a.EthAddress.Equals(b.EthAddress, StringComparison.OrdinalIgnoreCase) && a.ProviderId == b.ProviderId && a.PublicHost == b.PublicHost;

    private static string Describe(RecordedChoice c) =>
        $"{c.EthAddress} (peer {c.ProviderId}, host {c.PublicHost}, table {c.PricingTable}, {c.CostPerSecond} per second for one node)";

    private static string? ValueProblem(RecordedChoice c)
    {
        if (!(c.EthAddress.Length == 42 && c.EthAddress.StartsWith("0x", StringComparison.Ordinal) && c.EthAddress[2..].All(Uri.IsHexDigit)))
            return $"has ethAddress '{StackConfigLoader.Printable(c.EthAddress)}', not an Ethereum address";
        foreach (var (k, v) in new[] { ("providerId", c.ProviderId), ("publicHost", c.PublicHost) })
            if (ProviderSettings.Problem(k, v) is { } problem) return $"has {k} {StackConfigLoader.Printable(problem)}";
        return null;
    }

    private static ProviderSpec Apply(ProviderSpec p, RecordedChoice c)
    {
        var settings = new Dictionary<string, string>(p.Settings, StringComparer.Ordinal)
        {
            ["ethAddress"] = c.EthAddress,
            ["providerId"] = c.ProviderId,
            ["publicHost"] = c.PublicHost,
        };
        return p with { Settings = settings };
    }
}

/// <summary>No provider in the Registry fits an entry's selection: the market's answer, not bad input (exit 1).</summary>
public sealed class NoProviderMatchesException(string message) : Exception(message);
