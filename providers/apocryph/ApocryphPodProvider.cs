using System.Numerics;
using Google.Protobuf;
using ScyllaApocryph.Components.Apocryph.Proto;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Apocryph.Proto;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// One ScyllaDB node as a pod on an Apocryph provider (type <see cref="ResourceTypes.ApocryphPod"/>):
/// pays for it through a payment channel, provisions it over ProvisionPodService, reads it back, and deletes it
/// and recovers the money. The sequence is safe to replay after a crash at any step (the journal re-drives Create):
/// the pod id is derived from the slot, the channel is read before anything is paid, and a ProvisionPod that finds
/// its namespace already there adopts the pod with an UpdatePod of the same manifest (which restarts nothing).
/// </summary>
public sealed class ApocryphPodProvider : IResourceProvider
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);
    private readonly ApocryphSettings _settings;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly Lazy<Task<(WalletKey Key, PaymentChannels Payments)>> _wallet;
    private readonly PodRestartGate _restarts;

    public ApocryphPodProvider(ApocryphSettings settings, HttpClient http, TimeProvider time, ChainWalletPool? wallets = null,
        PodRestartGate? restarts = null)
    {
        wallets ??= new ChainWalletPool();
        _restarts = restarts ?? new PodRestartGate();
        _settings = settings;
        _http = http;
        _time = time;
        _wallet = new(async () =>
        {
            var key = WalletKey.FromEnvironment(settings.WalletKeyEnv);
            return (key, await PaymentChannels.ConnectAsync(await wallets.GetAsync(settings.RpcUrl.ToString(), key, settings.WalletKeyEnv), settings.PaymentContract, CancellationToken.None));
        });
    }

    /// <summary>Called after each step of a create (tests stop the sequence there, as a crash would).</summary>
    internal Func<string, Task>? AfterStep { get; set; }

    /// <summary>Transactions sent so far, for `bench apocryph`.</summary>
    public async Task<int> TransactionsSentAsync() => (await _wallet.Value).Payments.TransactionsSent;

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var news = request.News;
        var failures = new List<CheckFailure>();
        if (EthereumAddressText.Normalize(news.GetString("providerAddress")) is null)
            failures.Add(new("ethAddress", "must be the provider's Ethereum address (given, or chosen from the Registry by provider choose or up before planning)"));
        if (string.IsNullOrEmpty(news.GetString("providerId")) && string.IsNullOrEmpty(news.GetString("providerUrl")))
            failures.Add(new("providerId", "give the provider's libp2p peer id (reached through Kubo) or providerUrl (its ProvisionPodService URL)"));
        if (!BigInteger.TryParse(news.GetString("funds"), out var funds) || funds <= 0)
            failures.Add(new("funds", "must be a positive whole number of the payment token's smallest unit"));
        if (!long.TryParse(news.GetString("unlockSeconds"), out var unlock) || unlock < 0)
            failures.Add(new("unlockSeconds", "must be a whole number of seconds >= 0"));
        if (news.GetString("secrets") is { Length: > 0 } secrets && !SecretDelivery.IsKnown(secrets))
            failures.Add(new("secrets", $"must be {SecretDelivery.Ipfs} or {SecretDelivery.Contents}, got '{secrets}'"));
        return Task.FromResult(new CheckResult(news, failures));
    }

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        // The provider a node lives on is recorded; moving it is a replacement (a new, empty node), shown as such.
        var diff = DiffResult.ByInputs(request.OldInputs, request.NewInputs, "providerAddress", "providerId", "slot");
        if (diff.ChangedKeys.Contains("manifest") && diff.ReplaceKeys.Count == 0)
            diff = diff with { Notes = [UnderVolumeLock(request.OldInputs, request.NewInputs) ? UpdateUnderLock : UpdateRefusal] };
        return Task.FromResult(diff);
    }

    /// <summary>Why a changed manifest is refused when either pod runs ScyllaDB without the node agent.</summary>
    public const string UpdateRefusal =
        "refused: UpdatePod restarts the pod's Deployment with a rolling update, so a second ScyllaDB could mount the same " +
        "volume while the first still runs; that is only safe when both the running pod and the new one start ScyllaDB " +
        "through the node agent, whose volume lock makes the second wait (set agentImage and recreate the node once). " +
        "Change funds alone, or destroy and recreate the node";

    /// <summary>What a changed manifest does when both pods run the node agent.</summary>
    public const string UpdateUnderLock =
        "UpdatePod: the provider rolls the pod's Deployment; the new pod's agent waits for the old one's volume lock, so " +
        "one ScyllaDB at a time runs on the volume. One node per up: a second changed node waits for the next up";

    /// <summary>
    /// Whether both manifests start ScyllaDB through the node agent: only then does the agent's exclusive lock on the
    /// data volume keep the old and the new pod of a rolling update from running ScyllaDB on it together.
    /// </summary>
    private static bool UnderVolumeLock(PropertyMap oldInputs, PropertyMap newInputs) => RunsAgent(oldInputs) && RunsAgent(newInputs);

    private static bool RunsAgent(PropertyMap inputs) =>
        inputs.Get("manifest")?.Reveal().AsString is { } json
        && Parser.Parse<Pod>(json).Containers.Any(c => c.Command.FirstOrDefault() == Components.Cluster.AgentConfigFile.ImageBinary);

    public async Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken)
    {
        var inputs = request.Inputs;
        var podId = PodId(request.Urn, inputs);
        var provider = EthereumAddressText.Checksum(inputs.GetString("providerAddress")!);
        var (key, payments) = await _wallet.Value;
        var channel = await payments.EnsureFundedAsync(provider, podId, BigInteger.Parse(inputs.GetString("unlockSeconds")!),
            BigInteger.Parse(inputs.GetString("funds")!), AfterStep);
        if (AfterStep is not null) await AfterStep("funded");
        var (pod, payment, secretCids) = await PrepareAsync(inputs, payments, provider, podId, cancellationToken);
        ProvisionPodResponse response;
        await using (var connection = await ConnectAsync(inputs, cancellationToken))
        {
            var client = new ProvisionPodClient(_http, connection.Address, key, podId, _time);
            try
            {
                response = await client.ProvisionAsync(pod, payment, cancellationToken);
            }
            catch (ProvisionRefusedException e) when (e.Error.Contains("already exists", StringComparison.Ordinal))
            {
                // A replay after a crash between ProvisionPod and the journal's record: adopt the pod.
                response = await client.UpdateAsync(pod, payment, cancellationToken);
            }
        }
        if (AfterStep is not null) await AfterStep("provisioned");
        var ns = ApocryphNames.Namespace(key.Address, podId);
        return new CreateResult(ns, Outputs(inputs, pod, podId, ns, key.Address, response, channel).With("verificationInfo", "")
            .With("secretCids", PropertyValue.Array(secretCids.Select(c => (PropertyValue)c))));
    }

    public async Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        var inputs = request.Inputs;
        var podId = PodId(request.Urn, inputs);
        var (_, payments) = await _wallet.Value;
        var channel = await payments.ReadAsync(EthereumAddressText.Checksum(inputs.GetString("providerAddress")!), podId);
        // A pod without a channel is unpaid: its provider stops serving it.
        if (!channel.Exists) return null;
        // GetPodInfos (unauthenticated) answers the namespace's verification annotation: what the provider says it
        // checked of the images. Upstream answers "" both for a pod without verification and for no pod at all.
        string info;
        await using (var connection = await ConnectAsync(inputs, cancellationToken))
            info = await new ProvisionPodClient(_http, connection.Address, (await _wallet.Value).Key, podId, _time).GetPodInfosAsync(request.Id, cancellationToken);
        return new ReadResult(request.Id, WithChannel(request.Outputs, channel).With("verificationInfo", info));
    }

    /// <summary>
    /// An interrupted create is found by its payment channel, which the pod id (from the URN and slot) and the
    /// provider's address name on the chain. No channel: nothing was paid, and the provider provisions no pod
    /// without one, so nothing exists. A channel: the pod may or may not have been provisioned; Delete handles both
    /// (DeletePod of a missing namespace is a no-op) and recovers the money.
    /// </summary>
    public async Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken)
    {
        var inputs = request.Inputs;
        var podId = PodId(request.Urn, inputs);
        var (key, payments) = await _wallet.Value;
        var channel = await payments.ReadAsync(EthereumAddressText.Checksum(inputs.GetString("providerAddress")!), podId);
        if (!channel.Exists) return FindResult.Absent;
        var ns = ApocryphNames.Namespace(key.Address, podId);
        return FindResult.Found(ns, WithChannel(PropertyMap.Of(("podId", "0x" + Convert.ToHexStringLower(podId)), ("namespace", ns)), channel));
    }

    public async Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken)
    {
        if (!Equals(request.OldInputs.Get("manifest"), request.NewInputs.Get("manifest")))
            return UnderVolumeLock(request.OldInputs, request.NewInputs)
                ? await UpdatePodAsync(request, cancellationToken)
                : throw new InvalidOperationException(UpdateRefusal);
        var inputs = request.NewInputs;
        var (_, payments) = await _wallet.Value;
        var channel = await payments.EnsureFundedAsync(EthereumAddressText.Checksum(inputs.GetString("providerAddress")!), PodId(request.Urn, inputs),
            BigInteger.Parse(inputs.GetString("unlockSeconds")!), BigInteger.Parse(inputs.GetString("funds")!));
        return new UpdateResult(WithChannel(request.OldOutputs, channel));
    }

    /// <summary>
    /// A changed manifest under the agent's volume lock: pay what funds now ask, upload the new secret files, send
    /// UpdatePod, then unpin the files only the old manifest named (the provider has read the new ones by then).
    /// </summary>
    private async Task<UpdateResult> UpdatePodAsync(UpdateRequest request, CancellationToken cancellationToken)
    {
        var inputs = request.NewInputs;
        var node = inputs.GetString("slot") ?? request.Urn.Name;
        if (!_restarts.TryBegin(node, out var first))
            throw new InvalidOperationException(
                $"not updated in this run: {first} restarts through UpdatePod already, and two nodes must not restart at once; " +
                "run up again once it is back Up Normal");
        var podId = PodId(request.Urn, inputs);
        var provider = EthereumAddressText.Checksum(inputs.GetString("providerAddress")!);
        var (key, payments) = await _wallet.Value;
        var channel = await payments.EnsureFundedAsync(provider, podId, BigInteger.Parse(inputs.GetString("unlockSeconds")!),
            BigInteger.Parse(inputs.GetString("funds")!));
        var (pod, payment, secretCids) = await PrepareAsync(inputs, payments, provider, podId, cancellationToken);
        ProvisionPodResponse response;
        await using (var connection = await ConnectAsync(inputs, cancellationToken))
            response = await new ProvisionPodClient(_http, connection.Address, key, podId, _time).UpdateAsync(pod, payment, cancellationToken);
        var ns = ApocryphNames.Namespace(key.Address, podId);
        var outputs = Outputs(inputs, pod, podId, ns, key.Address, response, channel)
            .With("verificationInfo", request.OldOutputs.GetString("verificationInfo") ?? "")
            .With("secretCids", PropertyValue.Array(secretCids.Select(c => (PropertyValue)c)));
        await UnpinAsync(request.OldOutputs, secretCids, cancellationToken);
        return new UpdateResult(outputs);
    }

    /// <summary>What ProvisionPod and UpdatePod send: the pod, its payment channel, and its secret files uploaded (ipfs mode).</summary>
    private async Task<(Pod Pod, PaymentChannel Payment, IReadOnlyList<string> SecretCids)> PrepareAsync(PropertyMap inputs, PaymentChannels payments,
        string provider, byte[] podId, CancellationToken cancellationToken)
    {
        var pod = Parser.Parse<Pod>(inputs.Get("manifest")!.Reveal().AsString!);
        var payment = await Payment(payments, provider, podId);
        IReadOnlyList<string> secretCids = Delivery(inputs) == SecretDelivery.Ipfs
            ? await SecretUpload.UploadAsync(pod, new KuboFiles(_http, _settings.KuboApi), cancellationToken)
            : [];
        return (pod, payment, secretCids);
    }

    /// <summary>Unpins the secret files <paramref name="outputs"/> recorded, except those still named in <paramref name="kept"/>.</summary>
    private async Task UnpinAsync(PropertyMap outputs, IReadOnlyList<string> kept, CancellationToken cancellationToken)
    {
        foreach (var cid in (outputs.Get("secretCids")?.AsArray ?? []).Select(c => c.AsString!).Where(c => !kept.Contains(c)))
            await new KuboFiles(_http, _settings.KuboApi).UnpinAsync(cid, cancellationToken);
    }

    public async Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken)
    {
        var inputs = request.Inputs;
        var podId = PodId(request.Urn, inputs);
        var provider = EthereumAddressText.Checksum(inputs.GetString("providerAddress")!);
        var (key, payments) = await _wallet.Value;
        await using (var connection = await ConnectAsync(inputs, cancellationToken))
        {
            try
            {
                await new ProvisionPodClient(_http, connection.Address, key, podId, _time).DeleteAsync(cancellationToken);
            }
            catch (ConnectException e) when (e.Code == "failed_precondition")
            {
                // Namespace not found: already deleted.
            }
        }
        // The pod is gone, so are its readers: the encrypted secret files need no pin any more (upstream RemoveSecret).
        await UnpinAsync(request.Outputs, [], cancellationToken);
        var channel = await payments.ReleaseAsync(provider, podId);
        if (channel.Exists)
        {
            var until = DateTimeOffset.FromUnixTimeSeconds((long)channel.UnlockedAt).ToString("u", System.Globalization.CultureInfo.InvariantCulture);
            throw new InvalidOperationException(
                $"the pod is deleted, but its payment channel still holds {channel.Available} tokens, locked until {until}; " +
                "run destroy again after that time to get them back (the node stays in state until then)");
        }
    }

    private static string Delivery(PropertyMap inputs) => inputs.GetString("secrets") is { Length: > 0 } s ? s : SecretDelivery.Default;

    private static byte[] PodId(Engine.Resources.Urn urn, PropertyMap inputs)
    {
        var parts = urn.Value.Split("::");
        return ApocryphNames.PodId(parts[1], parts[0]["urn:pulumi:".Length..], inputs.GetString("slot")!);
    }

    private static async Task<PaymentChannel> Payment(PaymentChannels payments, string provider, byte[] podId) => new()
    {
        ChainID = ByteString.CopyFrom(BigEndian(await payments.ChainIdAsync())),
        ContractAddress = ByteString.CopyFrom(Convert.FromHexString(EthereumAddressText.Normalize(payments.PaymentContract)!)),
        PublisherAddress = ByteString.CopyFrom(Convert.FromHexString(EthereumAddressText.Normalize(payments.Publisher)!)),
        ProviderAddress = ByteString.CopyFrom(Convert.FromHexString(EthereumAddressText.Normalize(provider)!)),
        PodID = ByteString.CopyFrom(podId),
    };

    private static byte[] BigEndian(BigInteger value) => value.ToByteArray(isUnsigned: true, isBigEndian: true);

    /// <summary>The provider's ProvisionPodService: a direct URL, or a Kubo p2p forward to its peer id (closed after use).</summary>
    private async Task<IProvisionConnection> ConnectAsync(PropertyMap inputs, CancellationToken ct)
    {
        if (inputs.GetString("providerUrl") is { Length: > 0 } url) return new DirectConnection(new Uri(url.EndsWith('/') ? url : url + "/"));
        return new ForwardConnection(await KuboP2pForward.OpenAsync(_http, _settings.KuboApi, inputs.GetString("providerId")!, ct));
    }

    private interface IProvisionConnection : IAsyncDisposable
    {
        Uri Address { get; }
    }

    private sealed record DirectConnection(Uri Address) : IProvisionConnection
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed record ForwardConnection(KuboP2pForward Forward) : IProvisionConnection
    {
        public Uri Address => Forward.Address;
        public ValueTask DisposeAsync() => Forward.DisposeAsync();
    }

    private static PropertyMap Outputs(PropertyMap inputs, Pod pod, byte[] podId, string ns, string publisher, ProvisionPodResponse response, ChannelState channel)
    {
        // "NODEPORT/name ...", the form of the stack's `nodes` export: the ports the provider answered, named as the manifest named them.
        var named = response.Addresses.Where(a => a.Multiaddr.StartsWith("tcp/", StringComparison.Ordinal)).Select(a =>
            $"{a.Multiaddr[4..]}/{pod.Containers.FirstOrDefault(c => c.Name == a.ContainerName)?.Ports.FirstOrDefault(p => p.ContainerPort == a.ContainerPort)?.Name ?? a.ContainerName}");
        var ports = response.Addresses
            .Where(a => a.Multiaddr.StartsWith("tcp/", StringComparison.Ordinal))
            .Select(a => (PropertyValue)PropertyMap.Of(("container", a.ContainerName), ("containerPort", (long)a.ContainerPort),
                ("nodePort", long.Parse(a.Multiaddr[4..], System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();
        var host = inputs.GetString("publicHost")!;
        return WithChannel(PropertyMap.Of(
            ("podId", "0x" + Convert.ToHexStringLower(podId)),
            ("namespace", ns),
            ("publisher", publisher),
            ("providerAddress", EthereumAddressText.Checksum(inputs.GetString("providerAddress")!)),
            ("providerId", inputs.GetString("providerId") ?? ""),
            ("address", host),
            ("endpoints", PropertyValue.Array(response.Addresses.Where(a => a.Multiaddr.StartsWith("tcp/", StringComparison.Ordinal))
                .Select(a => (PropertyValue)$"{host}:{a.Multiaddr[4..]}"))),
            ("nodePorts", PropertyValue.Array(ports)),
            ("ports", string.Join(" ", named))), channel);
    }

    private static PropertyMap WithChannel(PropertyMap outputs, ChannelState channel) => outputs
        .With("channelInvested", channel.Invested.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .With("channelAvailable", channel.Available.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .With("unlockedAt", channel.Unlocking
            ? DateTimeOffset.FromUnixTimeSeconds((long)channel.UnlockedAt).ToString("u", System.Globalization.CultureInfo.InvariantCulture)
            : "locked (no unlock requested)");
}
