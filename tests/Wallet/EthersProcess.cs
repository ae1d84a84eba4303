using System.Diagnostics;
using System.Text.Json;
using ScyllaApocryph.Tests.Pki;

namespace ScyllaApocryph.Tests.Wallet;

/// <summary>Runs tests/js/wallet.mjs (ethers) with one JSON request.</summary>
internal static class EthersProcess
{
    public static JsonElement Call(object request, string? walletKey = null)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Preconditions.JsDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("wallet.mjs");
        if (walletKey is not null) start.Environment["WALLET_KEY"] = walletKey;
        using var p = Process.Start(start)!;
        p.StandardInput.Write(JsonSerializer.Serialize(request));
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(true);
            throw new TimeoutException("node wallet.mjs did not answer within 30 s");
        }
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"node wallet.mjs failed: {stderr.Result}");
        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }
}
