// Compiles contracts/*.sol with npm's solc (solcjs) into build/contracts.json: { Name: { abi, bytecode } }.
// Run by scripts/setup.sh; the C# tests and scripts/apocryph-devnet.sh deploy from that file.
import fs from "node:fs";
import path from "node:path";
import solc from "solc";

const dir = path.dirname(new URL(import.meta.url).pathname);
const sources = {};
for (const f of fs.readdirSync(path.join(dir, "contracts")).filter((f) => f.endsWith(".sol")).sort())
  sources[f] = { content: fs.readFileSync(path.join(dir, "contracts", f), "utf8") };
const input = {
  language: "Solidity",
  sources,
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "paris",
              outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors ?? []).filter((e) => e.severity === "error");
for (const e of output.errors ?? []) console.error(e.formattedMessage);
if (errors.length) process.exit(1);
const result = {};
for (const file of Object.keys(output.contracts))
  for (const [name, c] of Object.entries(output.contracts[file]))
    if (c.evm.bytecode.object) result[name] = { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object };
fs.mkdirSync(path.join(dir, "build"), { recursive: true });
fs.writeFileSync(path.join(dir, "build", "contracts.json"), JSON.stringify(result, null, 1) + "\n");
console.log(`compiled ${Object.keys(result).join(", ")} with solc ${solc.version()}`);
