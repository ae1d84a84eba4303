// Plays Pulumi's engine toward a program and toward component providers: a ResourceMonitor and an Engine gRPC server
// built from upstream's service definitions. Like the real engine (pulumi/pulumi pkg/resource/deploy/source_eval.go,
// step_generator.go and plugin/provider_plugin.go), a provider resource of package scylla-apocryph starts its own
// plugin process, which gets CheckConfig then Configure; a custom resource is sent to the plugin its provider
// reference names, as Check then Create (with preview set in a dry run), and the monitor answers with the URN, id
// and the provider's outputs. URNs follow sdk/go/common/resource/urn.go: the parent's qualified type, joined with
// '$', except for children of the root stack. It records every request for the tests to inspect.
'use strict';
const { grpc, resourceGrpc, resourcePb, engineGrpc, enginePb, providerPb, emptyPb } = require('./upstream');
const { toStruct, fromStruct } = require('./values');
const { startPlugin } = require('./plugin');

const providerType = 'pulumi:providers:scylla-apocryph';
const stackType = 'pulumi:pulumi:Stack';

class MiniEngine {
  constructor({ project, stack, dryRun, pluginCwd }) {
    Object.assign(this, { project, stack, dryRun, pluginCwd });
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
    if (r.type === providerType) {
      const plugin = await startPlugin({ cwd: this.pluginCwd, engineAddress: this.address });
      this.plugins.push(plugin);
      const checked = await plugin.call('checkConfig', checkRequest(r, {}));
      assertNoFailures(r, checked);
      const configure = new providerPb.ConfigureRequest();
      configure.setArgs(checked.getInputs());
      configure.setAcceptsecrets(true);
      configure.setAcceptresources(true);
      await plugin.call('configure', configure);
      r.id = `${r.name}-provider`;
      r.outputs = fromStruct(checked.getInputs()) || {};
      this.providers.set(`${r.urn}::${r.id}`, plugin);
    } else if (r.custom) {
      const plugin = this.providers.get(r.provider);
      if (!plugin) throw fail(grpc.status.INVALID_ARGUMENT, `${r.name}: unknown provider reference '${r.provider}'`);
      const checked = await plugin.call('check', checkRequest(r, {}));
      assertNoFailures(r, checked);
      const create = new providerPb.CreateRequest();
      create.setUrn(r.urn);
      create.setName(r.name);
      create.setType(r.type);
      create.setProperties(checked.getInputs());
      create.setPreview(this.dryRun);
      const created = await plugin.call('create', create);
      r.checked = fromStruct(checked.getInputs()) || {};
      r.id = created.getId();
      r.outputs = fromStruct(created.getProperties()) || {};
    } else {
      r.id = '';
      r.outputs = {};
    }
    this.registrations.push(r);
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

function assertNoFailures(r, checked) {
  const failures = checked.getFailuresList().map((f) => `${f.getProperty()}: ${f.getReason()}`);
  if (failures.length > 0) throw fail(grpc.status.INVALID_ARGUMENT, `${r.urn}: ${failures.join('; ')}`);
}

function fail(code, details) {
  return Object.assign(new Error(details), { code, details });
}

module.exports = { MiniEngine, providerType, stackType };
