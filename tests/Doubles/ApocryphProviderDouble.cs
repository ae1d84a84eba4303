using System.Collections.Concurrent;
using System.Net;
using System.Numerics;
using System.Text;
using Google.Protobuf;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Web3;
using ScyllaApocryph.Components.Apocryph.Proto;
using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Providers.Apocryph.Proto;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// An Apocryph provider's ProvisionPodService on a loopback HTTP port, behaving like upstream pkg/provider
/// (comrade-coop/apocryph 4bbf371: server.go, protoconnect/interceptors.go, ethereum/payment.go, kubernetes/pods.go,
/// ipfs/secrets.go) with an in-memory "cluster" of namespaces instead of Kubernetes:
/// - Connect unary JSON; a body protojson cannot parse is invalid_argument; an unknown method is unimplemented.
/// - Every call but GetPodInfos passes <see cref="ProvisionTokenCheck"/>; a request's payment.publisherAddress must be
///   the token's publisher; every call but ProvisionPod needs the namespace to exist (failed_precondition).
/// - ProvisionPod checks the channel on the chain (PaymentChannelValidator.Parse: chain id, provider address, an
///   accepted Payment contract, available >= 1) and answers refusals as HTTP 200 with `error`, as transformError.
/// - Secret volumes need `contents` or a `cid` (DownloadSecret casts the cid; `contentsString` alone fails). A cid is
///   read from IPFS (here: `cat` on the Kubo double given at start) and opened with the volume's key
///   (<see cref="SecretOpening"/>); provider/download.go DownloadSecrets runs in ProvisionPod and UpdatePod, and
///   kubernetes/pods.go keeps the result in a Kubernetes Secret: here in memory only (<see cref="SecretFiles"/>).
/// - hostTcpPort becomes a NodePort: 0 allocates one, others must be in 30000-32767 and free on the provider.
///   A failed ProvisionPod leaves nothing behind (RunInNamespaceOrRevert); a second one for a namespace that exists fails.
/// - Each received manifest is written as JSON under the directory given at start, so what was sent is reviewable;
///   secret volumes' `contents` and `key` are written as "(redacted …)", never as received.
/// </summary>
public sealed class ApocryphProviderDouble : IAsyncDisposable
{
    private const int NodePortMin = 30000, NodePortMax = 32767;
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());

    private HttpListener _listener = new();
    private readonly Task _loop;
    private readonly string _rpcUrl;
    private readonly string _paymentContract;
    private readonly string _manifests;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<string, HostedPod> _pods = [];
    private int _received;

    private readonly Uri? _kuboApi;
    private static readonly HttpClient Ipfs = new() { Timeout = TimeSpan.FromSeconds(30) };

    public ApocryphProviderDouble(string name, string providerAddress, string peerId, string rpcUrl, string paymentContract, string manifestDirectory,
        TimeProvider time, Uri? kuboApi = null)
    {
        _kuboApi = kuboApi;
        Name = name;
        Address = providerAddress;
        PeerId = peerId;
        _rpcUrl = rpcUrl;
        _paymentContract = paymentContract;
        _manifests = manifestDirectory;
        _time = time;
        Directory.CreateDirectory(manifestDirectory);
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                _listener = new HttpListener(); // a listener whose start failed is not reused
            }
        }
        _loop = Task.Run(ServeAsync);
    }

    public string Name { get; }
    public string Address { get; }
    public string PeerId { get; }
    public int Port { get; }
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>Restarts of a pod's Deployment that an UpdatePod caused (upstream applies the new spec: a rolling update).</summary>
    public ConcurrentDictionary<string, int> Restarts { get; } = new();

    public IReadOnlyDictionary<string, Pod> Pods
    {
        get
        {
            lock (_gate) return _pods.ToDictionary(p => p.Key, p => p.Value.Pod);
        }
    }

    public IReadOnlyCollection<int> AllocatedNodePorts
    {
        get
        {
            lock (_gate) return _pods.Values.SelectMany(p => p.NodePorts).ToList();
        }
    }

    /// <summary>The secret files each pod's volumes hold, decrypted (upstream: the namespace's Secrets).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, byte[]>> SecretFiles
    {
        get
        {
            lock (_gate) return _pods.ToDictionary(p => p.Key, p => p.Value.Secrets);
        }
    }

    private sealed record HostedPod(Pod Pod, IReadOnlyList<int> NodePorts, IReadOnlyDictionary<string, byte[]> Secrets);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        int status;
        string body;
        try
        {
            (status, body) = await AnswerAsync(context.Request);
        }
        catch (Exception e)
        {
            (status, body) = Error(500, "internal", e.Message);
        }
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private async Task<(int, string)> AnswerAsync(HttpListenerRequest request)
    {
        var procedure = request.Url!.AbsolutePath;
        if (request.HttpMethod != "POST" || !procedure.StartsWith(ApocryphNames.ServicePath, StringComparison.Ordinal))
            return Error(404, "unimplemented", $"{procedure} is not implemented");
        if (request.ContentType?.Split(';')[0].Trim() != "application/json") return (415, "");
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();

        ProvisionTokenCheck.Verified? token = null;
        if (procedure != ApocryphNames.GetPodInfos)
        {
            var (verified, code, message) = ProvisionTokenCheck.Authenticate(request.Headers["Authorization"], procedure, _time.GetUtcNow());
            if (verified is null) return Error(code == "unauthenticated" ? 401 : code == "deadline_exceeded" ? 504 : code == "data_loss" ? 500 : 500, code!, message!);
            token = verified;
        }
        try
        {
            return procedure switch
            {
                ApocryphNames.ProvisionPod => await ProvisionAsync(token!, Parser.Parse<ProvisionPodRequest>(text), text),
                ApocryphNames.UpdatePod => await UpdateAsync(token!, Parser.Parse<UpdatePodRequest>(text), text),
                ApocryphNames.DeletePod => Delete(token!, Parser.Parse<DeletePodRequest>(text)),
                ApocryphNames.GetPodInfos => Ok(new PodInfoResponse { Info = "" }),
                _ => Error(404, "unimplemented", $"{procedure} is not implemented"),
            };
        }
        catch (InvalidProtocolBufferException e)
        {
            return Error(400, "invalid_argument", "unmarshal into message: " + e.Message);
        }
        catch (InvalidJsonException e)
        {
            return Error(400, "invalid_argument", "unmarshal into message: " + e.Message);
        }
    }

    private async Task<(int, string)> ProvisionAsync(ProvisionTokenCheck.Verified token, ProvisionPodRequest request, string text)
    {
        if (PublisherMismatch(token, request.Payment) is { } mismatch) return mismatch;
        Record(token.Namespace, "ProvisionPod", text);
        if (await PaymentProblemAsync(request.Payment) is { } problem) return Refused(problem);
        var (secrets, secretProblem) = await DownloadSecretsAsync(request.Pod);
        if (secretProblem is not null) return Refused(secretProblem);
        if (request.Pod is null) return Refused("Expected value for pod");
        lock (_gate)
        {
            if (_pods.ContainsKey(token.Namespace)) return Refused($"namespaces \"{token.Namespace}\" already exists");
            var (response, ports, error) = Apply(token.Namespace, request.Pod);
            if (error is not null) return Refused(error);
            _pods[token.Namespace] = new HostedPod(request.Pod, ports, secrets);
            response.Namespace = token.Namespace;
            return Ok(response);
        }
    }

    private async Task<(int, string)> UpdateAsync(ProvisionTokenCheck.Verified token, UpdatePodRequest request, string text)
    {
        if (PublisherMismatch(token, request.Payment) is { } mismatch) return mismatch;
        lock (_gate)
        {
            if (!_pods.TryGetValue(token.Namespace, out var old)) return Error(400, "failed_precondition", "Namespace not found");
        }
        Record(token.Namespace, "UpdatePod", text);
        var (secrets, secretProblem) = await DownloadSecretsAsync(request.Pod);
        if (secretProblem is not null) return Refused(secretProblem);
        if (request.Pod is null) return Refused("Expected value for pod");
        lock (_gate)
        {
            var previous = _pods[token.Namespace];
            _pods.Remove(token.Namespace);
            var (response, ports, error) = Apply(token.Namespace, request.Pod);
            if (error is not null)
            {
                _pods[token.Namespace] = previous;
                return Refused(error);
            }
            _pods[token.Namespace] = new HostedPod(request.Pod, ports, secrets);
            // The Deployment's pod template changes when anything of a container or volume changes: a rolling restart.
            // A secret volume's template names only its Secret object (pods.go), so new cid, key or contents do not.
            if (!Template(previous.Pod).Equals(Template(request.Pod))) Restarts.AddOrUpdate(token.Namespace, 1, (_, n) => n + 1);
            return Ok(response);
        }
    }

    private (int, string) Delete(ProvisionTokenCheck.Verified token, DeletePodRequest _)
    {
        lock (_gate)
        {
            if (!_pods.Remove(token.Namespace)) return Error(400, "failed_precondition", "Namespace not found");
        }
        return Ok(new DeletePodResponse { Success = true });
    }

    private static Pod Template(Pod pod)
    {
        var template = pod.Clone();
        foreach (var v in template.Volumes.Where(v => v.Type == Volume.Types.Type.VolumeSecret)) v.Secret = new Volume.Types.SecretConfig();
        return template;
    }

    /// <summary>Services for every port (pods.go ApplyPodRequest, utils.go NewService); called under the lock.</summary>
    private (ProvisionPodResponse Response, List<int> Ports, string? Error) Apply(string ns, Pod pod)
    {
        var response = new ProvisionPodResponse();
        var ports = new List<int>();
        var taken = _pods.Values.SelectMany(p => p.NodePorts).ToHashSet();
        var httpHosts = 0;
        foreach (var container in pod.Containers)
        {
            foreach (var port in container.Ports)
            {
                string multiaddr;
                if (port.ExposedPortCase == Container.Types.Port.ExposedPortOneofCase.HostHttpHost)
                {
                    if (++httpHosts > 1) return (response, ports, "Multiple HTTP hosts in pod definition");
                    multiaddr = "http/" + port.HostHttpHost;
                }
                else if (port.ExposedPortCase == Container.Types.Port.ExposedPortOneofCase.HostTcpPort)
                {
                    var wanted = (long)port.HostTcpPort;
                    if (wanted == 0) wanted = Enumerable.Range(NodePortMin, NodePortMax - NodePortMin + 1).First(p => !taken.Contains(p) && !ports.Contains(p));
                    if (wanted is < NodePortMin or > NodePortMax)
                        return (response, ports, $"Failed creating resource tpod-svc-{port.Name}: Service \"tpod-svc-{port.Name}\" is invalid: spec.ports[0].nodePort: Invalid value: {wanted}: provided port is not in the valid range. The range of valid ports is {NodePortMin}-{NodePortMax}");
                    if (taken.Contains((int)wanted) || ports.Contains((int)wanted))
                        return (response, ports, $"Failed creating resource tpod-svc-{port.Name}: Service \"tpod-svc-{port.Name}\" is invalid: spec.ports[0].nodePort: Invalid value: {wanted}: provided port is already allocated");
                    ports.Add((int)wanted);
                    multiaddr = $"tcp/{wanted}";
                }
                else
                {
                    continue;
                }
                response.Addresses.Add(new ProvisionPodResponse.Types.ExposedHostPort { Multiaddr = multiaddr, ContainerName = container.Name, ContainerPort = port.ContainerPort });
            }
        }
        return (response, ports, null);
    }

    private static (int, string)? PublisherMismatch(ProvisionTokenCheck.Verified token, PaymentChannel? payment)
    {
        var publisher = "0x" + Convert.ToHexStringLower(Address20(payment?.PublisherAddress));
        return publisher == token.Publisher ? null
            : Error(401, "unauthenticated", $"Payment channel created for unauthorized address: (expected: {token.Publisher}, found: {publisher})");
    }

    private Task<BigInteger>? _chainId;
    private Web3 _web3 => _web3Instance ??= new Web3(_rpcUrl);
    private Web3? _web3Instance;

    private async Task<BigInteger> ReadChainIdAsync() => (await _web3.Eth.ChainId.SendRequestAsync()).Value;

    /// <summary>PaymentChannelValidator.Parse, against the real chain.</summary>
    private async Task<string?> PaymentProblemAsync(PaymentChannel? payment)
    {
        if (payment is null) return "Invalid payment channel chain id (expected 31337)";
        var web3 = _web3;
        // Upstream's PaymentChannelValidator reads the chain id once, when it is made (ethereum/payment.go NewPaymentChannelValidator).
        var chainId = await (_chainId ??= ReadChainIdAsync());
        if (new BigInteger(payment.ChainID.ToByteArray(), isUnsigned: true, isBigEndian: true) != chainId)
            return $"Invalid payment channel chain id (expected {chainId})";
        if (!Address20(payment.ProviderAddress).SequenceEqual(Convert.FromHexString(Address[2..])))
            return $"Invalid provider address in payment channel (expected {Address})";
        if (!Address20(payment.ContractAddress).SequenceEqual(Convert.FromHexString(_paymentContract[2..])))
            return $"Invalid payment contract address (expected one of [{_paymentContract}])";
        var available = await web3.Eth.GetContractQueryHandler<AvailableFunction>().QueryAsync<BigInteger>(_paymentContract, new AvailableFunction
        {
            Publisher = "0x" + Convert.ToHexStringLower(Address20(payment.PublisherAddress)),
            Provider = Address,
            PodId = payment.PodID.Length == 32 ? payment.PodID.ToByteArray() : new byte[32],
        });
        return available < 1 ? "Insufficient funds in payment channel" : null;
    }

    /// <summary>DownloadSecrets then DecryptSecret for every secret volume (provider/download.go); a failure is a refusal.</summary>
    private async Task<(IReadOnlyDictionary<string, byte[]> Files, string? Problem)> DownloadSecretsAsync(Pod? pod)
    {
        var files = new Dictionary<string, byte[]>();
        foreach (var v in pod?.Volumes.Where(v => v.Type == Volume.Types.Type.VolumeSecret) ?? [])
        {
            var secret = v.Secret ?? new Volume.Types.SecretConfig();
            byte[] contents;
            if (!secret.Contents.IsEmpty) contents = secret.Contents.ToByteArray();
            else if (secret.Cid.IsEmpty) return (files, "invalid cid: varint not minimal or empty input"); // cid.Cast of no bytes
            else if (_kuboApi is null) return (files, "this provider double was started without IPFS");
            else
            {
                using var response = await Ipfs.PostAsync(new Uri(_kuboApi, "api/v0/cat?arg=" + Uri.EscapeDataString(CidText.ToText(secret.Cid.ToByteArray()))), null);
                if (!response.IsSuccessStatusCode) return (files, await response.Content.ReadAsStringAsync());
                contents = await response.Content.ReadAsByteArrayAsync();
            }
            try
            {
                files[v.Name] = SecretOpening.Open(secret.Key?.Data.ToByteArray(), contents);
            }
            catch (SecretRefusedException e)
            {
                return (files, e.Message);
            }
        }
        return (files, null);
    }

    private static byte[] Address20(ByteString? b) => b is null ? new byte[20] : b.Length >= 20 ? b.ToByteArray()[^20..] : [.. new byte[20 - b.Length], .. b.ToByteArray()];

    private void Record(string ns, string operation, string json)
    {
        var n = Interlocked.Increment(ref _received);
        var dir = Path.Combine(_manifests, Name, ns);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, $"{n:D4}-{operation}.json"), Redacted(json));
    }

    /// <summary>The request as received, but each secret volume's contents and key replaced by a note.</summary>
    private static string Redacted(string json)
    {
        var request = System.Text.Json.Nodes.JsonNode.Parse(json);
        foreach (var volume in request?["pod"]?["volumes"]?.AsArray() ?? [])
        {
            if (volume?["secret"] is not System.Text.Json.Nodes.JsonObject secret) continue;
            if (secret["contents"] is { } contents)
                secret["contents"] = $"(redacted: {Convert.FromBase64String(contents.GetValue<string>()).Length} bytes)";
            if (secret["key"] is not null) secret["key"] = "(redacted)";
        }
        return request?.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) ?? json;
    }

    private static (int, string) Ok(IMessage message) => (200, Formatter.Format(message));

    private static (int, string) Refused(string error) => Ok(new ProvisionPodResponse { Error = error });

    private static (int, string) Error(int status, string code, string message) =>
        (status, System.Text.Json.JsonSerializer.Serialize(new { code, message }));

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone: after Stop, the managed HttpListener's Close looks the port up again to remove its prefix and
        // can fail with "Address already in use" once another process took the port. Teardown only, so not a failure.
        try
        {
            _listener.Close();
        }
        catch (HttpListenerException)
        {
        }
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
        }
    }

    [Function("available", "uint256")]
    private sealed class AvailableFunction : FunctionMessage
    {
        [Parameter("address", "publisher", 1)] public string Publisher { get; set; } = "";
        [Parameter("address", "provider", 2)] public string Provider { get; set; } = "";
        [Parameter("bytes32", "podId", 3)] public byte[] PodId { get; set; } = [];
    }
}
