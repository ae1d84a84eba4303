using System.Net.Http.Headers;
using Google.Protobuf;
using ScyllaApocryph.Components.Apocryph.Proto;
using ScyllaApocryph.Providers.Apocryph.Proto;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// ProvisionPodService over Connect unary with JSON bodies (POST {base}/apocryph.proto.v0.provisionPod.
/// ProvisionPodService/{Method}), one pod's calls. Every call but GetPodInfos carries a fresh bearer token for its
/// own procedure. A failed Connect call throws <see cref="ConnectException"/>; a provider's refusal that upstream
/// returns as HTTP 200 with an `error` field (payment, secrets, Kubernetes) throws <see cref="ProvisionRefusedException"/>.
/// </summary>
public sealed class ProvisionPodClient(HttpClient http, Uri baseAddress, WalletKey key, byte[] podId, TimeProvider time)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public async Task<ProvisionPodResponse> ProvisionAsync(Pod pod, PaymentChannel payment, CancellationToken ct) =>
        Checked(await CallAsync<ProvisionPodResponse>(ApocryphNames.ProvisionPod, new ProvisionPodRequest { Pod = pod, Payment = payment }, ct));

    public async Task<ProvisionPodResponse> UpdateAsync(Pod pod, PaymentChannel payment, CancellationToken ct) =>
        Checked(await CallAsync<ProvisionPodResponse>(ApocryphNames.UpdatePod, new UpdatePodRequest { Pod = pod, Payment = payment }, ct));

    public async Task DeleteAsync(CancellationToken ct)
    {
        var response = await CallAsync<DeletePodResponse>(ApocryphNames.DeletePod, new DeletePodRequest(), ct);
        if (!string.IsNullOrEmpty(response.Error) || !response.Success) throw new ProvisionRefusedException(ApocryphNames.DeletePod, response.Error);
    }

    /// <summary>Upstream answers with the verification annotation of the namespace's first Deployment, or "" if none.</summary>
    public async Task<string> GetPodInfosAsync(string @namespace, CancellationToken ct) =>
        (await CallAsync<PodInfoResponse>(ApocryphNames.GetPodInfos, new PodInfoRequest { Namespace = @namespace }, ct)).Info;

    private static ProvisionPodResponse Checked(ProvisionPodResponse response) =>
        string.IsNullOrEmpty(response.Error) ? response : throw new ProvisionRefusedException("provider", response.Error);

    private async Task<T> CallAsync<T>(string procedure, IMessage body, CancellationToken ct) where T : IMessage<T>, new()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, procedure.TrimStart('/')))
        {
            Content = new StringContent(Formatter.Format(body), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("Connect-Protocol-Version", "1");
        if (procedure != ApocryphNames.GetPodInfos)
            request.Headers.TryAddWithoutValidation("Authorization", ProvisionToken.For(podId, procedure, key.Address, time.GetUtcNow()).Bearer(key));
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            string code = "unknown", message = text;
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(text);
                code = doc.RootElement.TryGetProperty("code", out var c) ? c.GetString() ?? code : code;
                message = doc.RootElement.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            }
            catch (System.Text.Json.JsonException)
            {
            }
            throw new ConnectException(procedure, (int)response.StatusCode, code, message);
        }
        return Parser.Parse<T>(text);
    }
}

/// <summary>The provider answered with an `error` field: it refused the request (nothing was provisioned).</summary>
public sealed class ProvisionRefusedException(string what, string error) : Exception($"{what} refused: {error}")
{
    public string Error { get; } = error;
}
