// Plays Pulumi's ResourceMonitor and Engine toward the program (started as `pulumi up` starts a `runtime: dotnet`
// program, with PULUMI_MONITOR and friends set) and toward the plugin's Construct, and checks the registered graph:
// types, names, parents, dependencies, secrets. The monitor sends each custom resource to a plugin process per
// provider resource, as the engine does, so a non-preview run renders the local stack's files for real.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const yaml = require('js-yaml');
const { providerPb, rpc, enginePb } = require('./lib/upstream');
const { toStruct, fromStruct, unknown, secretsIn, withoutSecrets } = require('./lib/values');
const { MiniEngine, providerType, stackType } = require('./lib/engine');
const { startPlugin, programDll, repo } = require('./lib/plugin');

const T = (module, type) => `scylla-apocryph:${module}:${type}`;
const localStack = yaml.load(fs.readFileSync(path.join(repo, 'Pulumi.local.yaml'), 'utf8')).config;

function runProgram({ cwd, engine, dryRun, config }) {
  const env = {
    ...process.env,
    PULUMI_MONITOR: engine.address,
    PULUMI_ENGINE: engine.address,
    PULUMI_PROJECT: 'scylla-apocryph',
    PULUMI_STACK: 'local',
    PULUMI_DRY_RUN: String(dryRun),
    PULUMI_CONFIG: JSON.stringify(config),
  };
  return new Promise((resolve, reject) => {
    const child = spawn('dotnet', [programDll], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`program ran past 240 s: ${out}`)); }, 240000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

// The README's mapping of the built-in engine's type tokens into package scylla-apocryph.
const toPulumiType = (t) => {
  const [pkg, mod, name] = t.split(':');
  return `scylla-apocryph:${mod === 'index' ? pkg : `${pkg}/${mod}`}:${name}`;
};

/** The URNs the built-in engine's preview plans for the local stack, with their types mapped. */
async function builtInPlanUrns() {
  const out = await new Promise((resolve, reject) => {
    const child = spawn('dotnet', [programDll, 'preview', '--stack', 'local', '--json', '--cwd', repo], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`built-in preview exited ${code}`))));
  });
  return JSON.parse(out).steps.map((step) => {
    const [, , qualified, name] = step.urn.split('::');
    return `urn:pulumi:local::scylla-apocryph::${qualified.split('$').map(toPulumiType).join('$')}::${name}`;
  });
}

// Upstream passes structured config values as JSON text (pulumi-language-dotnet's PULUMI_CONFIG).
const pulumiConfig = Object.fromEntries(Object.entries(localStack).map(([k, v]) => [k, JSON.stringify(v)]));

async function withEngine(dryRun, body) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-interop-program-'));
  const engine = new MiniEngine({ project: 'scylla-apocryph', stack: 'local', dryRun, pluginCwd: dir });
  try {
    await engine.start();
    await body(engine, dir);
  } finally {
    engine.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function assertTree(engine, rootUrn) {
  const byUrn = new Map(engine.registrations.map((r) => [r.urn, r]));
  const order = new Map(engine.registrations.map((r, i) => [r.urn, i]));
  const providerRefs = new Set(engine.registrations.filter((r) => r.type === providerType).map((r) => `${r.urn}::${r.id}`));
  for (const r of engine.registrations) {
    assert.ok(r.type === stackType || r.type === providerType || r.type.startsWith('scylla-apocryph:'), `type ${r.type}`);
    assert.equal(r.acceptSecrets, true, `${r.urn} accepts secrets`);
    if (r.parent) assert.ok(order.get(r.parent) < order.get(r.urn), `${r.name}'s parent is registered before it`);
    for (const d of r.dependencies) assert.ok(order.get(d) < order.get(r.urn), `${r.name}'s dependency ${d} is registered before it`);
    if (r.custom && r.type !== providerType) {
      // Upstream's provider reference: "<provider urn>::<provider id>".
      assert.ok(providerRefs.has(r.provider), `${r.name} names a registered provider resource (${r.provider})`);
    }
  }
  const cluster = engine.find(T('scylla', 'Cluster'));
  assert.equal(cluster.parent, rootUrn);
  assert.equal(cluster.custom, false);
  const datacenters = engine.registrations.filter((r) => r.type === T('scylla', 'Datacenter'));
  assert.deepEqual(datacenters.map((d) => d.name).sort(), ['alpha', 'beta', 'gamma']);
  for (const dc of datacenters) assert.equal(dc.parent, cluster.urn);
  const node = engine.find(T('scylla', 'Node'), 'scylla-local-alpha-0');
  assert.equal(byUrn.get(node.parent).name, 'alpha');
  assert.equal(node.urn, `urn:pulumi:local::scylla-apocryph::${T('scylla', 'Cluster')}$${T('scylla', 'Datacenter')}$${T('scylla', 'Node')}::scylla-local-alpha-0`);

  // The node certificate depends on the CA, through its caCert and caKey inputs, and the CA key arrives as a secret.
  const ca = engine.find(T('tls', 'CertificateAuthority'));
  const cert = engine.find(T('tls', 'Certificate'), 'scylla-local-alpha-0');
  assert.equal(cert.parent, cluster.urn);
  assert.ok(cert.dependencies.includes(ca.urn));
  assert.deepEqual(cert.propertyDependencies.caKey, [ca.urn]);
  assert.deepEqual(cert.propertyDependencies.commonName, []);
  assert.ok(rpc.isRpcSecret(cert.object.caKey), 'the CA key is sent to the monitor as a secret');

  // scylla.yaml carries the superuser password's hash: its content is a secret input, and it depends on the password.
  const password = engine.find(T('random', 'Password'));
  const scyllaYaml = engine.registrations.find((r) => r.type === T('render', 'File') && r.object.path === 'scylla-local-alpha-0/etc/scylla/scylla.yaml');
  assert.ok(scyllaYaml, 'the node\'s scylla.yaml is registered');
  assert.equal(scyllaYaml.parent, node.urn);
  assert.ok(rpc.isRpcSecret(scyllaYaml.object.content));
  assert.ok(scyllaYaml.dependencies.includes(password.urn));
  assert.match(scyllaYaml.provider, /pulumi:providers:scylla-apocryph::alpha::/);
  return { cluster, ca, cert, password, scyllaYaml };
}

/** The schema the plugin publishes tells the truth: every output a resource returned is declared, with its secrecy. */
async function assertOutputsMatchSchema(engine) {
  const { providerPb: pb } = require('./lib/upstream');
  const plugin = engine.plugins[0];
  const schema = JSON.parse((await plugin.call('getSchema', new pb.GetSchemaRequest())).getSchema());
  for (const r of engine.registrations.filter((x) => x.custom && x.type !== providerType)) {
    const declared = schema.resources[r.type];
    assert.ok(declared, `${r.type} is in the schema`);
    for (const [key, value] of Object.entries(r.outputs)) {
      assert.ok(declared.properties[key], `${r.type} output ${key} is declared`);
      if (declared.properties[key].secret) assert.ok(rpc.isRpcSecret(value), `${r.type} output ${key} is declared secret and comes secret`);
    }
    for (const key of declared.required) assert.ok(key in r.outputs, `${r.type} always returns ${key}`);
  }
}

function assertNoPlaintextSecrets(engine) {
  // Every secret the plugins answered, and every secret the program sent, appears only inside a secret wrapper in
  // what the program registered.
  const sent = engine.registrations.map((r) => r.object).concat([...engine.outputs.values()]);
  const plaintexts = secretsIn(engine.registrations.map((r) => r.outputs).concat(sent)).filter((s) => s.length >= 16);
  assert.ok(plaintexts.some((s) => /PRIVATE KEY/.test(s)), 'the scan saw private keys');
  const visible = withoutSecrets(sent) + withoutSecrets(engine.logs);
  for (const s of plaintexts) assert.ok(!visible.includes(s), `a secret appears outside Pulumi's secret wrapper: ${s.slice(0, 12)}...`);
}

test('Under PULUMI_MONITOR the program registers the stack, its providers and the resource graph, and the plugins create it', { timeout: 300000 }, async () => {
  await withEngine(false, async (engine, dir) => {
    const { code, out } = await runProgram({ cwd: dir, engine, dryRun: false, config: pulumiConfig });
    assert.equal(code, 0, out);

    assert.equal(engine.features[0], 'secrets', 'SupportsFeature(secrets) is asked first');
    const stack = engine.registrations[0];
    assert.deepEqual([stack.type, stack.name, stack.custom, stack.parent], [stackType, 'scylla-apocryph-local', false, '']);
    assert.equal(engine.root, stack.urn, 'the stack is set as the root resource');

    const providers = engine.registrations.filter((r) => r.type === providerType);
    assert.deepEqual(providers.map((p) => p.name).sort(), ['_compose', '_random', '_tls', 'alpha', 'beta', 'gamma']);
    const alpha = providers.find((p) => p.name === 'alpha');
    assert.deepEqual(alpha.object, {
      kind: 'render', directory: path.join(fs.realpathSync(dir), 'out', 'local', 'alpha'), projectDirectory: fs.realpathSync(dir),
    });

    const { cluster } = assertTree(engine, stack.urn);
    // The same resources as the built-in engine plans for this stack, under the documented token mapping.
    const registered = engine.registrations.filter((r) => r.type !== stackType && r.type !== providerType).map((r) => r.urn).sort();
    assert.deepEqual(registered, (await builtInPlanUrns()).sort());

    // The plugins created the resources: the files are on disk, and secrets got mode 0600.
    const yamlPath = path.join(dir, 'out', 'local', 'alpha', 'scylla-local-alpha-0', 'etc', 'scylla', 'scylla.yaml');
    assert.match(fs.readFileSync(yamlPath, 'utf8'), /seeds:/);
    assert.equal(fs.statSync(yamlPath).mode & 0o777, 0o600);
    assert.ok(fs.existsSync(path.join(dir, 'out', 'local', 'docker-compose.yaml')));

    // Outputs: every component is closed, and the stack's outputs hold the secrets wrapped.
    assert.ok(engine.outputs.has(cluster.urn));
    const outputs = engine.outputs.get(stack.urn);
    assert.ok(rpc.isRpcSecret(outputs.superuserPassword));
    assert.ok(rpc.isRpcSecret(outputs.clientKey));
    assert.match(outputs.caCertificate, /BEGIN CERTIFICATE/);
    assert.ok(engine.logs.some((l) => l.severity === enginePb.LogSeverity.INFO && /registered \d+ resources/.test(l.message)));

    assertNoPlaintextSecrets(engine);
    await assertOutputsMatchSchema(engine);
  });
});

test('A second up through the protocol changes nothing, and a changed setting updates only the files it changes', { timeout: 600000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-interop-rerun-'));
  const state = new Map();
  const run = async (config) => {
    const engine = new MiniEngine({ project: 'scylla-apocryph', stack: 'local', dryRun: false, pluginCwd: dir, state });
    try {
      await engine.start();
      const { code, out } = await runProgram({ cwd: dir, engine, dryRun: false, config });
      assert.equal(code, 0, out);
      return engine.registrations.filter((r) => r.custom);
    } finally {
      engine.stop();
    }
  };
  try {
    const first = await run(pulumiConfig);
    assert.ok(first.every((r) => r.op === 'create'));

    const second = await run(pulumiConfig);
    const changed = second.filter((r) => r.op !== 'same').map((r) => `${r.op} ${r.name} ${JSON.stringify(r.diff)}`);
    assert.deepEqual(changed, [], 'nothing changes on a second up');
    assert.equal(second.length, first.length);

    const composePath = path.join(dir, 'out', 'local', 'docker-compose.yaml');
    const before = fs.readFileSync(composePath, 'utf8');
    const edited = structuredClone(localStack);
    edited['scylla-apocryph:cluster'].developerMode = false;
    const third = await run(Object.fromEntries(Object.entries(edited).map(([k, v]) => [k, JSON.stringify(v)])));
    const updated = third.filter((r) => r.op === 'update');
    assert.ok(updated.length > 0, 'developer mode reaches the rendered files');
    assert.ok(updated.every((r) => r.type === T('render', 'File') && r.diff.diffs.includes('content')), updated.map((r) => r.name).join(', '));
    assert.deepEqual(third.filter((r) => r.op === 'replace' || r.op === 'create').map((r) => r.name), []);
    assert.ok(third.filter((r) => r.type.startsWith('scylla-apocryph:tls:')).every((r) => r.op === 'same'), 'certificates are kept');
    assert.notEqual(fs.readFileSync(composePath, 'utf8'), before, 'the update reached the file on disk');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('In a preview (PULUMI_DRY_RUN=true) the same graph is registered, nothing is written, and outputs are unknown', { timeout: 300000 }, async () => {
  await withEngine(true, async (engine, dir) => {
    const { code, out } = await runProgram({ cwd: dir, engine, dryRun: true, config: pulumiConfig });
    assert.equal(code, 0, out);
    const stack = engine.registrations[0];
    const { cert } = assertTree(engine, stack.urn);
    assert.equal(cert.object.caCert, unknown, 'an output of a resource not created yet is unknown');
    assert.deepEqual(cert.object.caKey, { [rpc.specialSigKey]: rpc.specialSecretSig, value: unknown }, 'and a secret one is a secret unknown');
    assert.equal(fs.existsSync(path.join(dir, 'out')), false, 'a preview writes nothing');
    assert.deepEqual(engine.outputs.get(stack.urn).superuserPassword, { [rpc.specialSigKey]: rpc.specialSecretSig, value: unknown });
  });
});

test('Bad configuration under PULUMI_MONITOR is reported through Engine.Log with its key path, exit 2, nothing registered', { timeout: 120000 }, async () => {
  await withEngine(false, async (engine, dir) => {
    const bad = structuredClone(localStack);
    bad['scylla-apocryph:cluster'].datacenters[1].nodes = 0;
    const config = Object.fromEntries(Object.entries(bad).map(([k, v]) => [k, JSON.stringify(v)]));
    const { code } = await runProgram({ cwd: dir, engine, dryRun: false, config });
    assert.equal(code, 2);
    assert.ok(engine.logs.some((l) => l.severity === enginePb.LogSeverity.ERROR && l.message.includes('scylla-apocryph:cluster.datacenters[1].nodes')),
      JSON.stringify(engine.logs));
    assert.equal(engine.registrations.length, 0);
  });
});

test('Construct builds the ScyllaCluster component: its children registered under it through the monitor, state with secrets', { timeout: 300000 }, async () => {
  await withEngine(false, async (engine, dir) => {
    const plugin = await startPlugin({ cwd: dir, engineAddress: engine.address });
    try {
      // The engine's Handshake names the program's directory: relative paths of the component are taken from it.
      const program = path.join(dir, 'program');
      fs.mkdirSync(program);
      const handshake = new providerPb.ProviderHandshakeRequest();
      handshake.setEngineAddress(engine.address);
      handshake.setProgramDirectory(program);
      const shook = await plugin.call('handshake', handshake);
      assert.deepEqual([shook.getAcceptSecrets(), shook.getAcceptResources(), shook.getAcceptOutputs()], [true, true, true]);

      const r = new providerPb.ConstructRequest();
      r.setProject('scylla-apocryph');
      r.setStack('local');
      r.setDryrun(false);
      r.setMonitorendpoint(engine.address);
      r.setType(T('scylla', 'Cluster'));
      r.setName('db');
      r.setInputs(toStruct({
        cluster: localStack['scylla-apocryph:cluster'],
        providers: localStack['scylla-apocryph:providers'],
        compose: localStack['scylla-apocryph:compose'],
      }));
      const res = await plugin.call('construct', r);
      const component = engine.find(T('scylla', 'Cluster'), 'db');
      assert.ok(component, 'the component registers itself under the name the engine gave');
      assert.equal(res.getUrn(), component.urn);
      assert.equal(component.parent, '');
      const dcs = engine.registrations.filter((x) => x.type === T('scylla', 'Datacenter'));
      assert.equal(dcs.length, 3);
      for (const dc of dcs) assert.equal(dc.parent, component.urn);
      assert.ok(fs.existsSync(path.join(program, 'out', 'local', 'beta', 'scylla-local-beta-0', 'etc', 'scylla', 'scylla.yaml')),
        'children were created, under the program\'s directory');
      assert.equal(fs.existsSync(path.join(dir, 'out')), false);

      const state = fromStruct(res.getState());
      assert.ok(rpc.isRpcSecret(state.superuserPassword));
      const schema = JSON.parse((await plugin.call('getSchema', new providerPb.GetSchemaRequest())).getSchema());
      const declared = schema.resources[T('scylla', 'Cluster')];
      for (const [key, value] of Object.entries(state)) {
        assert.ok(declared.properties[key], `component output ${key} is declared in the schema`);
        assert.equal(rpc.isRpcSecret(value), declared.properties[key].secret === true, `${key}'s secrecy matches the schema`);
      }
      for (const key of declared.required) assert.ok(key in state, `the component always returns ${key}`);
      assert.deepEqual(engine.outputs.get(component.urn), state, 'RegisterResourceOutputs closes the component with its state');
      const deps = {};
      res.getStatedependenciesMap().forEach((v, k) => { deps[k] = v.getUrnsList(); });
      assert.deepEqual(deps.superuserPassword, [engine.find(T('random', 'Password')).urn]);

      const bad = new providerPb.ConstructRequest();
      bad.setProject('scylla-apocryph');
      bad.setStack('local');
      bad.setMonitorendpoint(engine.address);
      bad.setType(T('scylla', 'Cluster'));
      bad.setName('bad');
      bad.setInputs(toStruct({ cluster: { name: 'x' }, providers: {} }));
      await assert.rejects(plugin.call('construct', bad), (e) => /scylla-apocryph:cluster\.image/.test(e.details));
    } finally {
      plugin.stop();
    }
  });
});
