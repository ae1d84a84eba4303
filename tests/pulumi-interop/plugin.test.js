// Plays Pulumi's engine toward the plugin pulumi-resource-scylla-apocryph: every RPC it serves, on real resources
// (render files in a temporary directory, TLS certificates and a password with secret outputs), through upstream's
// generated client stubs.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { providerPb, emptyPb, rpc, grpc } = require('./lib/upstream');
const { toStruct, fromStruct, secret, unknown, secretsIn, withoutSecrets } = require('./lib/values');
const { startPlugin } = require('./lib/plugin');

const T = (module, type) => `scylla-apocryph:${module}:${type}`;
const urnOf = (type, name) => `urn:pulumi:test::interop::${type}::${name}`;

let plugin;
let dir; // the plugin's working directory
let renderDir; // the render provider's directory (removed with its last file, so not the working directory)
const seen = []; // every properties/inputs object the plugin answered, for the secret scan

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-interop-plugin-'));
  renderDir = path.join(dir, 'render');
  plugin = await startPlugin({ cwd: dir });
});

test.after(() => {
  plugin?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function checkReq(type, name, news, olds = {}) {
  const r = new providerPb.CheckRequest();
  r.setUrn(urnOf(type, name));
  r.setName(name);
  r.setType(type);
  r.setOlds(toStruct(olds));
  r.setNews(toStruct(news));
  return r;
}

async function check(type, name, news, olds) {
  const res = await plugin.call('check', checkReq(type, name, news, olds));
  const inputs = fromStruct(res.getInputs());
  seen.push(inputs);
  return { inputs, failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
}

async function create(type, name, inputs, preview = false) {
  const r = new providerPb.CreateRequest();
  r.setUrn(urnOf(type, name));
  r.setName(name);
  r.setType(type);
  r.setProperties(toStruct(inputs));
  r.setPreview(preview);
  const res = await plugin.call('create', r).catch((e) => { e.message = `${type} ${name}: ${e.message}`; throw e; });
  const outputs = fromStruct(res.getProperties());
  seen.push(outputs);
  return { id: res.getId(), outputs };
}

async function diff(type, name, id, oldInputs, oldOutputs, news) {
  const r = new providerPb.DiffRequest();
  r.setUrn(urnOf(type, name));
  r.setName(name);
  r.setType(type);
  r.setId(id);
  r.setOldInputs(toStruct(oldInputs));
  r.setOlds(toStruct(oldOutputs));
  r.setNews(toStruct(news));
  const res = await plugin.call('diff', r);
  const detailed = {};
  res.getDetaileddiffMap().forEach((v, k) => { detailed[k] = { kind: v.getKind(), inputDiff: v.getInputdiff() }; });
  return {
    changes: res.getChanges(), diffs: res.getDiffsList(), replaces: res.getReplacesList(), stables: res.getStablesList(),
    deleteBeforeReplace: res.getDeletebeforereplace(), hasDetailedDiff: res.getHasdetaileddiff(), detailed,
  };
}

async function read(type, name, id, inputs, outputs) {
  const r = new providerPb.ReadRequest();
  r.setUrn(urnOf(type, name));
  r.setName(name);
  r.setType(type);
  r.setId(id);
  r.setInputs(toStruct(inputs));
  r.setProperties(toStruct(outputs));
  const res = await plugin.call('read', r);
  const properties = fromStruct(res.getProperties());
  if (properties) seen.push(properties);
  return { id: res.getId(), properties, inputs: fromStruct(res.getInputs()) };
}

async function update(type, name, id, oldInputs, oldOutputs, news, preview = false) {
  const r = new providerPb.UpdateRequest();
  r.setUrn(urnOf(type, name));
  r.setName(name);
  r.setType(type);
  r.setId(id);
  r.setOldInputs(toStruct(oldInputs));
  r.setOlds(toStruct(oldOutputs));
  r.setNews(toStruct(news));
  r.setPreview(preview);
  const res = await plugin.call('update', r);
  const outputs = fromStruct(res.getProperties());
  seen.push(outputs);
  return outputs;
}

async function del(type, name, id, inputs, outputs) {
  const r = new providerPb.DeleteRequest();
  r.setUrn(urnOf(type, name));
  r.setName(name);
  r.setType(type);
  r.setId(id);
  r.setOldInputs(toStruct(inputs));
  r.setProperties(toStruct(outputs));
  return plugin.call('delete', r);
}

const Kind = providerPb.PropertyDiff.Kind;
const Changes = providerPb.DiffResponse.DiffChanges;

test('GetPluginInfo answers a version and GetSchema a package schema with every resource, the component and secret outputs', async () => {
  const info = await plugin.call('getPluginInfo', new emptyPb.Empty());
  assert.match(info.getVersion(), /^\d+\.\d+\.\d+$/);

  const schema = JSON.parse((await plugin.call('getSchema', new providerPb.GetSchemaRequest())).getSchema());
  assert.equal(schema.name, 'scylla-apocryph');
  assert.equal(schema.version, info.getVersion());
  for (const token of [T('render', 'File'), T('tls', 'CertificateAuthority'), T('tls', 'Certificate'), T('random', 'Password'),
    T('nebula', 'Certificate'), T('nebula', 'Blocklist'), T('wallet', 'MembershipProof'), T('autoscaler', 'Registration'),
    T('scylla', 'Membership'), T('kubernetes/apps/v1', 'StatefulSet'), T('kubernetes/core/v1', 'Secret')]) {
    assert.ok(schema.resources[token], `schema lacks ${token}`);
    assert.equal(schema.resources[token].isComponent, false, token);
  }
  const cluster = schema.resources[T('scylla', 'Cluster')];
  assert.equal(cluster.isComponent, true);
  assert.deepEqual(cluster.requiredInputs.sort(), ['cluster', 'providers']);
  assert.equal(cluster.properties.superuserPassword.secret, true);
  assert.equal(schema.resources[T('tls', 'Certificate')].properties.key.secret, true);
  assert.equal(schema.resources[T('tls', 'Certificate')].inputProperties.caKey.secret, true);
  assert.equal(schema.resources[T('random', 'Password')].properties.result.secret, true);
  assert.equal(schema.resources[T('tls', 'Certificate')].properties.cert.secret, undefined);
  assert.ok(schema.provider.inputProperties.kind);
});

test('CheckConfig names the bad key, DiffConfig replaces on a new directory, Configure accepts secrets and previews', async () => {
  const checkConfig = async (news) => (await plugin.call('checkConfig', checkReq('pulumi:providers:scylla-apocryph', 'p', news)))
    .getFailuresList().map((f) => f.getProperty());
  assert.deepEqual(await checkConfig({ kind: 'tarball' }), ['kind']);
  assert.deepEqual(await checkConfig({ kind: 'render' }), ['directory']);
  assert.deepEqual(await checkConfig({ kind: 'kubernetes' }), ['context']);
  assert.deepEqual(await checkConfig({ kind: 'render', directory: dir, colour: 'red' }), ['colour']);
  assert.deepEqual(await checkConfig({ kind: 'render', directory: dir }), []);
  // The project's own settings share the namespace and reach the default provider: accepted, not used.
  assert.deepEqual(await checkConfig({ cluster: '{}', providers: '{}' }), []);

  const d = new providerPb.DiffRequest();
  d.setUrn('urn:pulumi:test::interop::pulumi:providers:scylla-apocryph::alpha');
  d.setOldInputs(toStruct({ kind: 'render', directory: '/a' }));
  d.setOlds(toStruct({ kind: 'render', directory: '/a' }));
  d.setNews(toStruct({ kind: 'render', directory: '/b' }));
  const res = await plugin.call('diffConfig', d);
  assert.equal(res.getChanges(), Changes.DIFF_SOME);
  assert.deepEqual(res.getReplacesList(), ['directory']);

  const c = new providerPb.ConfigureRequest();
  c.setArgs(toStruct({ kind: 'render', directory: renderDir }));
  c.setAcceptsecrets(true);
  c.setAcceptresources(true);
  const configured = await plugin.call('configure', c);
  assert.equal(configured.getAcceptsecrets(), true);
  assert.equal(configured.getSupportspreview(), true);
  assert.equal(configured.getAcceptresources(), true);
});

test('A render file goes through Check, preview, Create, Diff, Update, Read and Delete on disk', async () => {
  const type = T('render', 'File');
  const bad = await check(type, 'bad', { path: '../escape', content: 'x' });
  assert.deepEqual(bad.failures.map((f) => f.property), ['path']);

  const { inputs, failures } = await check(type, 'f', { path: 'node/scylla.yaml', content: secret('password: hunter2-hash\n') });
  assert.deepEqual(failures, []);
  assert.ok(rpc.isRpcSecret(inputs.content), 'secret content stays a secret through Check');
  const file = path.join(renderDir, 'node', 'scylla.yaml');

  const preview = await create(type, 'f', inputs, true);
  assert.equal(preview.id, '');
  assert.equal(fs.existsSync(file), false, 'a preview writes nothing');
  assert.equal(preview.outputs.sha256, unknown);
  assert.equal(preview.outputs.path, 'node/scylla.yaml', 'an output that repeats an input is known in a preview');

  const created = await create(type, 'f', inputs);
  assert.equal(created.id, 'node/scylla.yaml');
  assert.equal(fs.readFileSync(file, 'utf8'), 'password: hunter2-hash\n');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'secret content is written with mode 0600');
  assert.ok(rpc.isRpcSecret(created.outputs.sha256), 'the hash of secret content is secret');
  assert.equal(created.outputs.bytes, 23);

  const same = await diff(type, 'f', created.id, inputs, created.outputs, inputs);
  assert.equal(same.changes, Changes.DIFF_NONE);
  assert.deepEqual(same.diffs, []);

  const newContent = { ...inputs, content: secret('password: other-hash\n') };
  const changed = await diff(type, 'f', created.id, inputs, created.outputs, newContent);
  assert.equal(changed.changes, Changes.DIFF_SOME);
  assert.deepEqual(changed.diffs, ['content']);
  assert.deepEqual(changed.replaces, []);
  assert.equal(changed.hasDetailedDiff, true);
  assert.deepEqual(changed.detailed, { content: { kind: Kind.UPDATE, inputDiff: true } });
  assert.ok(changed.stables.includes('path'), 'the path output is stable through a content update');

  const moved = await diff(type, 'f', created.id, inputs, created.outputs, { ...inputs, path: 'node/other.yaml' });
  assert.deepEqual(moved.replaces, ['path']);
  assert.equal(moved.detailed.path.kind, Kind.UPDATE_REPLACE);
  assert.deepEqual(moved.stables, []);

  const added = await diff(type, 'f', created.id, inputs, created.outputs, { ...inputs, mode: '0640' });
  assert.deepEqual(added.detailed.mode, { kind: Kind.ADD, inputDiff: true }, JSON.stringify(added));

  const previewUpdate = await update(type, 'f', created.id, inputs, created.outputs, newContent, true);
  assert.equal(previewUpdate.bytes, unknown, 'a preview update does not claim the new length');
  assert.equal(fs.readFileSync(file, 'utf8'), 'password: hunter2-hash\n', 'a preview update writes nothing');
  const updated = await update(type, 'f', created.id, inputs, created.outputs, newContent);
  assert.equal(fs.readFileSync(file, 'utf8'), 'password: other-hash\n');

  const live = await read(type, 'f', created.id, newContent, updated);
  assert.equal(live.id, created.id);
  assert.deepEqual(live.properties, updated);
  assert.deepEqual(live.inputs, newContent);

  fs.writeFileSync(file, 'edited by hand');
  const drift = await diff(type, 'f', created.id, newContent, updated, newContent);
  assert.deepEqual(drift.diffs, ['content'], 'a file changed by hand shows as a change');

  await del(type, 'f', created.id, newContent, updated);
  assert.equal(fs.existsSync(file), false);
  const gone = await read(type, 'f', created.id, newContent, updated);
  assert.equal(gone.id, '', 'Read of a deleted file answers an empty id');
});

test('A render directory must really lie within the project, and nothing is written through a link out of it', async () => {
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-interop-outside-'));
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-interop-project-'));
  let second;
  try {
    const checkConfig = async (news) => (await plugin.call('checkConfig', checkReq('pulumi:providers:scylla-apocryph', 'p', news)))
      .getFailuresList().map((f) => f.getProperty());
    // Check time, against the plugin's working directory (no projectDirectory, no PULUMI_ROOT_DIRECTORY here).
    fs.symlinkSync(outside, path.join(dir, 'escape'));
    assert.deepEqual(await checkConfig({ kind: 'render', directory: path.join(dir, 'escape', 'out') }), ['directory']);
    assert.deepEqual(await checkConfig({ kind: 'render', directory: path.join(dir, '..') }), ['directory']);
    assert.deepEqual(await checkConfig({ kind: 'render', directory: outside, projectDirectory: outside }), []);

    // Apply time: a node folder inside the render directory that became a link out of it.
    fs.mkdirSync(renderDir, { recursive: true });
    fs.symlinkSync(outside, path.join(renderDir, 'linked'));
    const type = T('render', 'File');
    const { inputs } = await check(type, 'linked', { path: 'linked/node.key', content: secret('KEY') });
    await assert.rejects(create(type, 'linked', inputs), /symbolic link/);

    // Apply time: the render directory itself replaced by a link out of the project after Configure.
    second = await startPlugin({ cwd: project });
    const out = path.join(project, 'out');
    fs.mkdirSync(out);
    const c = new providerPb.ConfigureRequest();
    c.setArgs(toStruct({ kind: 'render', directory: out }));
    c.setAcceptsecrets(true);
    await second.call('configure', c);
    fs.rmdirSync(out);
    fs.symlinkSync(outside, out);
    const r = new providerPb.CreateRequest();
    r.setUrn(urnOf(type, 'moved'));
    r.setType(type);
    r.setProperties(toStruct(inputs));
    await assert.rejects(second.call('create', r), /outside the project directory/);

    assert.deepEqual(fs.readdirSync(outside), [], 'nothing was written outside the project');
  } finally {
    second?.stop();
    fs.rmSync(path.join(dir, 'escape'), { force: true });
    fs.rmSync(path.join(renderDir, 'linked'), { force: true });
    fs.rmSync(project, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

test('TLS certificates and a password: secret outputs come wrapped as Pulumi secrets, never in plaintext elsewhere', async () => {
  const caType = T('tls', 'CertificateAuthority');
  const certType = T('tls', 'Certificate');
  const ca = await check(caType, 'ca', { commonName: 'interop CA' });
  assert.deepEqual(ca.failures, []);
  const caCreated = await create(caType, 'ca', ca.inputs);
  assert.ok(rpc.isRpcSecret(caCreated.outputs.key), 'the CA key is a secret');
  assert.match(rpc.unwrapRpcSecret(caCreated.outputs.key), /BEGIN (EC )?PRIVATE KEY/);
  assert.match(caCreated.outputs.cert, /BEGIN CERTIFICATE/);

  // A plain key handed in is made secret by Check, as the provider promises.
  const news = { commonName: 'node-0', dnsNames: ['node-0.example'], caCert: caCreated.outputs.cert, caKey: rpc.unwrapRpcSecret(caCreated.outputs.key) };
  const cert = await check(certType, 'node-0', news);
  assert.deepEqual(cert.failures, []);
  assert.ok(rpc.isRpcSecret(cert.inputs.caKey));

  // Unknown inputs (a preview before the CA exists) pass Check, and a preview Create answers unknown outputs, the
  // key a secret unknown.
  const pending = await check(certType, 'node-1', { ...news, caCert: unknown, caKey: secret(unknown) });
  assert.deepEqual(pending.failures, []);
  const previewed = await create(certType, 'node-1', pending.inputs, true);
  assert.equal(previewed.outputs.cert, unknown);
  assert.deepEqual(previewed.outputs.key, secret(unknown));

  const certCreated = await create(certType, 'node-0', cert.inputs);
  assert.ok(rpc.isRpcSecret(certCreated.outputs.key));
  assert.match(certCreated.outputs.cert, /BEGIN CERTIFICATE/);
  assert.notEqual(certCreated.outputs.cert, caCreated.outputs.cert);

  const renamed = await diff(certType, 'node-0', certCreated.id, cert.inputs, certCreated.outputs, { ...cert.inputs, commonName: 'node-0b' });
  assert.ok(renamed.replaces.includes('commonName'));
  assert.equal(renamed.detailed.commonName.kind, Kind.UPDATE_REPLACE);
  assert.equal(renamed.deleteBeforeReplace, false);

  const again = await read(certType, 'node-0', certCreated.id, cert.inputs, certCreated.outputs);
  assert.equal(again.id, certCreated.id);
  assert.ok(rpc.isRpcSecret(again.properties.key));

  const password = await create(T('random', 'Password'), 'superuser', (await check(T('random', 'Password'), 'superuser', { length: 24 })).inputs);
  assert.ok(rpc.isRpcSecret(password.outputs.result));
  assert.equal(rpc.unwrapRpcSecret(password.outputs.result).length, 24);
  assert.ok(rpc.isRpcSecret(password.outputs.sha512crypt));

  // Upstream's own decoder sees secrets where the wrappers are.
  // (it lifts secretness to the top of an object, as the SDK does for outputs that are not typed per property).
  const decoded = rpc.deserializeProperty(certCreated.outputs, true);
  assert.ok(rpc.isRpcSecret(decoded));
  assert.equal(rpc.unwrapRpcSecret(decoded).key, rpc.unwrapRpcSecret(certCreated.outputs.key));
  assert.equal(rpc.deserializeProperty(certCreated.outputs.cert), certCreated.outputs.cert);

  await del(certType, 'node-0', certCreated.id, cert.inputs, certCreated.outputs);
  await del(caType, 'ca', caCreated.id, ca.inputs, caCreated.outputs);

  // Every secret plaintext the plugin answered appears only inside a secret wrapper.
  const plaintexts = secretsIn(seen).filter((s) => s.length >= 16);
  assert.ok(plaintexts.some((s) => /PRIVATE KEY/.test(s)), 'the scan saw the private keys');
  assert.ok(plaintexts.includes(rpc.unwrapRpcSecret(password.outputs.result)), 'the scan saw the password');
  const visible = withoutSecrets(seen);
  for (const s of plaintexts) assert.ok(!visible.includes(s), `a secret appears outside Pulumi's secret wrapper: ${s.slice(0, 12)}...`);
  assert.ok(!/PRIVATE KEY/.test(visible));
});

test('Construct is refused for a type that is not a component, naming it', async () => {
  const r = new providerPb.ConstructRequest();
  r.setType(T('tls', 'Certificate'));
  r.setName('x');
  r.setProject('interop');
  r.setStack('test');
  r.setMonitorendpoint('127.0.0.1:1');
  await assert.rejects(plugin.call('construct', r), (e) => e.code === grpc.status.INVALID_ARGUMENT && /tls:Certificate/.test(e.details));
});

test('Cancel is accepted, and afterwards operations fail as cancelled', async () => {
  await plugin.call('cancel', new emptyPb.Empty());
  await assert.rejects(create(T('random', 'Password'), 'late', { length: 8 }), (e) => e.code === grpc.status.CANCELLED);
});
