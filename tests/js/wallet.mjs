// Cross-checks the C# wallet code against ethers. Reads one JSON request on stdin, writes one JSON answer.
//   {"op":"verify","message":"...","signature":"0x..."}  -> {"address":"0x..."}
//   {"op":"sign","message":"..."} with the key in WALLET_KEY -> {"address":"0x...","signature":"0x..."}
//   {"op":"verifyToken","bearer":"Bearer a.b"} -> {"address","namespace","token"}: an Apocryph provision token
//   {"op":"signToken","json":"..."} with the key in WALLET_KEY -> {"bearer":"Bearer a.b"}
import { Wallet, verifyMessage, hashMessage, keccak256, recoverAddress, Signature, SigningKey, concat, getBytes, hexlify, toUtf8Bytes } from "ethers";

// RFC 4648 base32, lowercase, no padding: upstream's namespace is "tpod-" + that of keccak256(publisher || podId).
function base32(bytes) {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let out = "", value = 0, bits = 0;
  for (const b of bytes) {
    value = (value << 8) | b; bits += 8;
    while (bits >= 5) { out += alphabet[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);

if (req.op === "verify") {
  console.log(JSON.stringify({ address: verifyMessage(req.message, req.signature), hash: hashMessage(req.message) }));
} else if (req.op === "sign") {
  const wallet = new Wallet(process.env.WALLET_KEY);
  console.log(JSON.stringify({ address: wallet.address, signature: await wallet.signMessage(req.message) }));
} else if (req.op === "verifyToken") {
  const [data, sig] = req.bearer.replace(/^Bearer /, "").split(".");
  const json = Buffer.from(data, "base64");
  const raw = Buffer.from(sig, "base64");
  if (raw.length !== 65 || raw[64] > 1) throw new Error(`want 65 bytes with recovery id 0/1, got ${raw.length} bytes, v=${raw[64]}`);
  const signature = Signature.from({ r: hexlify(raw.subarray(0, 32)), s: hexlify(raw.subarray(32, 64)), v: 27 + raw[64] });
  const address = recoverAddress(keccak256(json), signature);
  const token = JSON.parse(json.toString("utf8"));
  const namespace = "tpod-" + base32(getBytes(keccak256(concat([token.Publisher, token.PodId]))));
  console.log(JSON.stringify({ address, namespace, token }));
} else if (req.op === "signToken") {
  const json = toUtf8Bytes(req.json);
  const sig = new SigningKey(process.env.WALLET_KEY).sign(keccak256(json));
  const raw = Buffer.concat([getBytes(sig.r), getBytes(sig.s), Buffer.from([sig.yParity])]);
  console.log(JSON.stringify({ bearer: `Bearer ${Buffer.from(json).toString("base64")}.${raw.toString("base64")}` }));
} else {
  console.error(`unknown op ${req.op}`);
  process.exit(2);
}
