using System.Numerics;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Providers.Wallet;
using ScyllaApocryph.Tests.Doubles;

// apocryph-devnet-host <rpcUrl> <kuboPort> <manifestDirectory> <contracts.json>
// Deploys the contracts with anvil's development account 0 (if that account has sent nothing yet: token, Payment,
// Registry) and registers the three providers in the Registry with their profiles and pricing tables, then serves the
// three providers of Pulumi.apocryph-local.yaml (anvil's development accounts 1-3) behind a Kubo API double, until
// it is stopped. Prints one line per service. Development keys only: these are anvil's published test accounts.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: apocryph-devnet-host <rpcUrl> <kuboPort> <manifestDirectory> <contracts.json>");
    return 2;
}
var (rpc, kuboPort, manifests, contracts) = (args[0], int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), args[2], args[3]);
const string publisherKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
string[] providerKeys =
[
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];
string[] names = ["alpha", "beta", "gamma"];
string[] peers = ["12D3KooWDevnetProviderAlpha", "12D3KooWDevnetProviderBeta", "12D3KooWDevnetProviderGamma"];

var web3 = new Web3(new Account(publisherKey, 31337), rpc);
var sent = await web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(web3.TransactionManager.Account.Address);
var fresh = sent.Value == 0;
string token, payment, registry;
if (fresh)
{
    (token, payment) = await DevnetContracts.DeployAsync(web3, contracts, BigInteger.Pow(10, 24));
    registry = await DevnetRegistry.DeployAsync(web3, contracts);
}
else
{
    token = Nethereum.Util.ContractUtils.CalculateContractAddress(web3.TransactionManager.Account.Address, 0);
    payment = Nethereum.Util.ContractUtils.CalculateContractAddress(web3.TransactionManager.Account.Address, 1);
    registry = Nethereum.Util.ContractUtils.CalculateContractAddress(web3.TransactionManager.Account.Address, 3);
}
Console.WriteLine($"token {token}");
Console.WriteLine($"payment {payment}");
Console.WriteLine($"registry {registry}");

await using var kubo = new KuboApiDouble(kuboPort);
// The providers' profiles are on "IPFS" (this Kubo double) again at every start; the chain keeps their registration.
await DevnetRegistry.RegisterAsync(rpc, registry, token, kubo, DevnetRegistry.StandardOffers(providerKeys, peers), onChain: fresh);
var providers = new List<ApocryphProviderDouble>();
for (var i = 0; i < 3; i++)
{
    var p = new ApocryphProviderDouble(names[i], WalletKey.FromHex(providerKeys[i]).Address, peers[i], rpc, payment, manifests, TimeProvider.System, kubo.ApiUrl);
    kubo.AddPeer(p.PeerId, ApocryphNames.ProvisionProtocol, p.Port);
    providers.Add(p);
    Console.WriteLine($"provider {names[i]} {p.Address} peer {p.PeerId} at {p.Url}");
}
Console.WriteLine($"kubo {kubo.ApiUrl}");
Console.WriteLine("ready");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
foreach (var p in providers) await p.DisposeAsync();
return 0;
