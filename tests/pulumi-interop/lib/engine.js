// Plays Pulumi's engine toward a program and toward component providers: a ResourceMonitor and an Engine gRPC server
// built from upstream's service definitions. Like the real engine (pulumi/pulumi pkg/resource/deploy/source_eval.go,
// step_generator.go and plugin/provider_plugin.go), a provider resource of package scylla-apocryph starts its own
// plugin process, which gets CheckConfig then Configure; a custom resource is sent to the plugin its provider
// reference names, as Check then Create (with preview set in a dry run), and the monitor answers with the URN, id
// and the provider's outputs. URNs follow sdk/go/common/resource/urn.go: the parent's qualified type, joined with
// '$', except for children of the root stack. Given the state of an earlier run, a resource it already holds is
// checked against its old inputs and diffed (olds = old outputs, old_inputs), then kept, updated, or replaced
// (create the new, delete the old) as the plugin's DiffResponse says. It records every request for the tests.
'use strict';
const { grpc, resourceGrpc, resourcePb, engineGrpc, enginePb, providerPb, emptyPb } = require('./upstream');
const { toStruct, fromStruct } = require('./values');
const { startPlugin } = require('./plugin');

const providerType = 'pulumi:providers:scylla-apocryph';
const stackType = 'pulumi:pulumi:Stack';

class MiniEngine {
  constructor({ project, stack, dryRun, pluginCwd, state = new Map() }) {
    // state: urn -> { inputs, outputs, id, type, name, provider } of earlier runs (kept across engines by the caller).
    Object.assign(this, { project, stack, dryRun, pluginCwd, state });
    this.registrations = []; // { type, name, parent, custom, object, dependencies, propertyDependencies, provider, urn, id, outputs }
    this.outputs = new Map(); // urn -> outputs registered with RegisterResourceOutputs
    this.features = [];
    this.logs = [];
    this.root = undefined;
    this.qualifiedTypes = new Map();
    this.providers = new Map(); // "urn::id" -> plugin
    this.plugins = [];
  }

  async start() {
    this.server = new grpc.Server();
    this.server.addService(resourceGrpc.ResourceMonitorService, {
      supportsFeature: (call, cb) => {
        this.features.push(call.request.getId());
        const res = new resourcePb.SupportsFeatureResponse();
        res.setHassupport(['secrets', 'resourceReferences'].includes(call.request.getId()));
        cb(null, res);
      },
      registerResource: (call, cb) => this.registerResource(call.request).then((r) => cb(null, r), (e) => cb(e)),
      registerResourceOutputs: (call, cb) => {
        this.outputs.set(call.request.getUrn(), fromStruct(call.request.getOutputs()) || {});
        cb(null, new emptyPb.Empty());
      },
    });
    this.server.addService(engineGrpc.EngineService, {
      log: (call, cb) => {
        this.logs.push({ severity: call.request.getSeverity(), message: call.request.getMessage(), urn: call.request.getUrn() });
        cb(null, new emptyPb.Empty());
      },
      getRootResource: (call, cb) => {
        const res = new enginePb.GetRootResourceResponse();
        res.setUrn(this.root || '');
        cb(null, res);
      },
      setRootResource: (call, cb) => {
        this.root = call.request.getUrn();
        cb(null, new enginePb.SetRootResourceResponse());
      },
    });
    const port = await new Promise((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    this.address = `127.0.0.1:${port}`;
    return this.address;
  }

  urn(type, name, parent) {
    const parentType = parent ? this.qualifiedTypes.get(parent) : undefined;
    if (parent && parentType === undefined) throw fail(grpc.status.INVALID_ARGUMENT, `parent ${parent} is not registered`);
    const qualified = parentType && parentType !== stackType ? `${parentType}$${type}` : type;
    const urn = `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
    this.qualifiedTypes.set(urn, qualified);
    return urn;
  }

  async registerResource(req) {
    const r = {
      type: req.getType(), name: req.getName(), parent: req.getParent(), custom: req.getCustom(),
      object: fromStruct(req.getObject()) || {}, dependencies: req.getDependenciesList(), provider: req.getProvider(),
      propertyDependencies: {},
      acceptSecrets: req.getAcceptsecrets(),
    };
    req.getPropertydependenciesMap().forEach((v, k) => { r.propertyDependencies[k] = v.getUrnsList(); });
    for (const d of r.dependencies) {
      if (!this.qualifiedTypes.has(d)) throw fail(grpc.status.INVALID_ARGUMENT, `${r.name} depends on ${d}, which is not registered`);
    }
    r.urn = this.urn(r.type, r.name, r.parent);
    const old = this.state.get(r.urn);
    if (r.type === providerType) {
      const plugin = await startPlugin({ cwd: this.pluginCwd, engineAddress: this.address });
      this.plugins.push(plugin);
      const checked = await plugin.call('checkConfig', checkRequest(r, old ? old.inputs : {}));
      assertNoFailures(r, checked);
      r.op = 'create';
      r.id = `${r.name}-provider`;
      if (old) {
        const diff = await plugin.call('diffConfig', diffRequest(r, old, checked.getInputs()));
        const replace = diff.getReplacesList().length > 0;
        r.op = diff.getChanges() === providerPb.DiffResponse.DiffChanges.DIFF_SOME ? (replace ? 'replace' : 'update') : 'same';
        if (!replace) r.id = old.id;
        else r.id = `${r.name}-provider-${this.registrations.length}`;
      }
      const configure = new providerPb.ConfigureRequest();
      configure.setArgs(checked.getInputs());
      configure.setAcceptsecrets(true);
      configure.setAcceptresources(true);
      await plugin.call('configure', configure);
      r.checked = fromStruct(checked.getInputs()) || {};
      r.outputs = r.checked;
      this.providers.set(`${r.urn}::${r.id}`, plugin);
    } else if (r.custom) {
      const plugin = this.providers.get(r.provider);
      if (!plugin) throw fail(grpc.status.INVALID_ARGUMENT, `${r.name}: unknown provider reference '${r.provider}'`);
      const checked = await plugin.call('check', checkRequest(r, old ? old.inputs : {}));
      assertNoFailures(r, checked);
      r.checked = fromStruct(checked.getInputs()) || {};
      r.op = 'create';
      if (old) {
        const diff = await plugin.call('diff', diffRequest(r, old, checked.getInputs()));
        r.diff = { diffs: diff.getDiffsList(), replaces: diff.getReplacesList() };
        if (diff.getChanges() !== providerPb.DiffResponse.DiffChanges.DIFF_SOME) {
          r.op = 'same';
          r.id = old.id;
          r.outputs = old.outputs;
        } else if (r.diff.replaces.length === 0) {
          const update = new providerPb.UpdateRequest();
          update.setUrn(r.urn);
          update.setName(r.name);
          update.setType(r.type);
          update.setId(old.id);
          update.setOlds(toStruct(old.outputs));
          update.setOldInputs(toStruct(old.inputs));
          update.setNews(checked.getInputs());
          update.setPreview(this.dryRun);
          r.op = 'update';
          r.id = old.id;
          r.outputs = fromStruct((await plugin.call('update', update)).getProperties()) || {};
        } else {
          r.op = 'replace';
        }
      }
      if (r.op === 'create' || r.op === 'replace') {
        const create = new providerPb.CreateRequest();
        create.setUrn(r.urn);
        create.setName(r.name);
        create.setType(r.type);
        create.setProperties(checked.getInputs());
        create.setPreview(this.dryRun);
        const created = await plugin.call('create', create);
        r.id = created.getId();
        r.outputs = fromStruct(created.getProperties()) || {};
        if (r.op === 'replace' && !this.dryRun) {
          // Create before delete, the engine's default (no deleteBeforeReplace here).
          const del = new providerPb.DeleteRequest();
          del.setUrn(r.urn);
          del.setName(r.name);
          del.setType(r.type);
          del.setId(old.id);
          del.setProperties(toStruct(old.outputs));
          del.setOldInputs(toStruct(old.inputs));
          await plugin.call('delete', del);
        }
      }
    } else {
      r.id = '';
      r.outputs = {};
    }
    this.registrations.push(r);
    if (!this.dryRun && r.type !== stackType) this.state.set(r.urn, { inputs: r.checked ?? r.object, outputs: r.outputs, id: r.id });
    const res = new resourcePb.RegisterResourceResponse();
    res.setUrn(r.urn);
    res.setId(r.id);
    res.setObject(toStruct(r.outputs));
    return res;
  }

  find(type, name) {
    return this.registrations.find((r) => r.type === type && (name === undefined || r.name === name));
  }

  stop() {
    this.plugins.forEach((p) => p.stop());
    this.server?.forceShutdown();
  }
}

function checkRequest(r, olds) {
  const check = new providerPb.CheckRequest();
  check.setUrn(r.urn);
  check.setName(r.name);
  check.setType(r.type);
  check.setOlds(toStruct(olds));
  check.setNews(toStruct(r.object));
  return check;
}

function diffRequest(r, old, news) {
  const diff = new providerPb.DiffRequest();
  diff.setUrn(r.urn);
  diff.setName(r.name);
  diff.setType(r.type);
  diff.setId(old.id);
  diff.setOlds(toStruct(old.outputs));
  diff.setOldInputs(toStruct(old.inputs));
  diff.setNews(news);
  return diff;
}

function assertNoFailures(r, checked) {
  const failures = checked.getFailuresList().map((f) => `${f.getProperty()}: ${f.getReason()}`);
  if (failures.length > 0) throw fail(grpc.status.INVALID_ARGUMENT, `${r.urn}: ${failures.join('; ')}`);
}

function fail(code, details) {
  return Object.assign(new Error(details), { code, details });
}

module.exports = { MiniEngine, providerType, stackType };
