using System.Numerics;
using System.Text.Json;
using Nethereum.Hex.HexTypes;
using Nethereum.Web3;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// Deploys the local Apocryph's contracts (tests/devnet/build/contracts.json) from the web3 account: the token first,
/// then Payment(token), then mints <c>minted</c> to the account. On a fresh anvil the account's nonces 0 and 1 make
/// the addresses fixed (Pulumi.apocryph-local.yaml names them). Shared by the tests and the devnet host.
/// </summary>
public static class DevnetContracts
{
    public static async Task<(string Token, string Payment)> DeployAsync(Web3 web3, string contractsJson, BigInteger minted)
    {
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(contractsJson));
        var token = await Deploy(web3, doc.RootElement.GetProperty("TestToken"));
        var payment = await Deploy(web3, doc.RootElement.GetProperty("Payment"), token);
        var mint = web3.Eth.GetContract(doc.RootElement.GetProperty("TestToken").GetProperty("abi").GetRawText(), token).GetFunction("mint");
        await mint.SendTransactionAndWaitForReceiptAsync(web3.TransactionManager.Account.Address, new HexBigInteger(200_000), null, null, minted);
        return (token, payment);
    }

    private static async Task<string> Deploy(Web3 web3, JsonElement contract, params object[] args)
    {
        var receipt = await web3.Eth.DeployContract.SendRequestAndWaitForReceiptAsync(
            contract.GetProperty("abi").GetRawText(), contract.GetProperty("bytecode").GetString()!,
            web3.TransactionManager.Account.Address, new HexBigInteger(3_000_000), null, args);
        return receipt.ContractAddress;
    }
}
