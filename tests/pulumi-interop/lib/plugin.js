// Starts the provider plugin the way Pulumi's plugin host does: run the executable with the engine's address as
// its argument, read the port from the first line of standard output, dial 127.0.0.1:<port> over cleartext HTTP/2.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const { grpc, providerGrpc } = require('./upstream');

const repo = path.resolve(__dirname, '..', '..', '..');
const configuration = process.env.BUILD_CONFIGURATION || 'Debug';
const pluginPath = process.env.PLUGIN_PATH ||
  path.join(repo, 'plugin', 'bin', configuration, 'net10.0', 'pulumi-resource-scylla-apocryph');
const programDll = process.env.PROGRAM_DLL ||
  path.join(repo, 'infra', 'bin', configuration, 'net10.0', 'scylla-apocryph.dll');

async function startPlugin({ cwd, engineAddress = '127.0.0.1:1' } = {}) {
  // The arguments Pulumi's plugin host passes (sdk/go/common/resource/plugin/plugin.go buildPluginArguments: logging flags, then the engine address).
  const child = spawn(pluginPath, ['--logtostderr', '-v=9', engineAddress], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`plugin printed no port within 30 s; stderr: ${stderr}`)), 30000);
    child.once('exit', (code) => reject(new Error(`plugin exited with ${code} before printing a port; stderr: ${stderr}`)));
    readline.createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
  });
  if (!/^\d+$/.test(port)) throw new Error(`plugin's first line is not a port: '${port}'`);
  const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return {
    port: Number(port),
    client,
    call: (method, request) => unary(client, method, request),
    stderr: () => stderr,
    stop: () => { client.close(); child.kill('SIGTERM'); },
  };
}

function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + 60000 }, (err, response) => {
      if (err) err.message = `${method}: ${err.message}`;
      return err ? reject(err) : resolve(response);
    });
  });
}

module.exports = { startPlugin, unary, pluginPath, programDll, repo };
