// Cross-checks the C# wallet code against ethers. Reads one JSON request on stdin, writes one JSON answer.
//   {"op":"verify","message":"...","signature":"0x..."}  -> {"address":"0x..."}
//   {"op":"sign","message":"..."} with the key in WALLET_KEY -> {"address":"0x...","signature":"0x..."}
import { Wallet, verifyMessage, hashMessage } from "ethers";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);

if (req.op === "verify") {
  console.log(JSON.stringify({ address: verifyMessage(req.message, req.signature), hash: hashMessage(req.message) }));
} else if (req.op === "sign") {
  const wallet = new Wallet(process.env.WALLET_KEY);
  console.log(JSON.stringify({ address: wallet.address, signature: await wallet.signMessage(req.message) }));
} else {
  console.error(`unknown op ${req.op}`);
  process.exit(2);
}
