// Checks the project's .proto files (pulumi/proto/pulumi/*.proto) against the protoc-generated JavaScript that
// npm @pulumi/pulumi ships: every message, field number, field name and wire type, every enum value, and every
// service method's path and message types must be upstream's. Our files may leave fields out; they may not differ.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const protobuf = require('protobufjs');
const up = require('./lib/upstream');
const { repo } = require('./lib/plugin');

const protoRoot = path.join(repo, 'pulumi', 'proto');
const ours = (() => {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => (target.startsWith('google/protobuf/') ? target : path.join(protoRoot, target));
  const files = fs.readdirSync(path.join(protoRoot, 'pulumi')).filter((f) => f.endsWith('.proto')).map((f) => `pulumi/${f}`);
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  return root.lookup('pulumirpc');
})();

// Upstream's field table, read from each message's serializeBinaryToWriter in the generated *_pb.js: for every
// field, its number, the getter protoc-gen-js named after it, and the writer call (its wire type).
function upstreamFields() {
  const table = new Map();
  for (const file of fs.readdirSync(path.join(up.pulumiDir, 'proto')).filter((f) => f.endsWith('_pb.js') && !f.endsWith('grpc_pb.js'))) {
    const text = fs.readFileSync(path.join(up.pulumiDir, 'proto', file), 'utf8');
    const blocks = text.split(/\nproto\.(pulumirpc\.[\w.]+)\.serializeBinaryToWriter = function\(message, writer\) \{\n/).slice(1);
    for (let i = 0; i < blocks.length; i += 2) {
      const name = blocks[i];
      const body = blocks[i + 1].slice(0, blocks[i + 1].indexOf('\n};'));
      const fields = new Map();
      for (const chunk of body.split(/\n  f = /).slice(1)) {
        const getter = /^message\.get(\w+?)(_asU8|_asB64)?\(/.exec(chunk);
        const write = /writer\.(write\w+)\(\s*(\d+),/.exec(chunk) || /serializeBinary\((\d+), writer/.exec(chunk);
        const number = Number(write[2] ?? write[1]);
        fields.set(number, { getter: getter ? getter[1] : null, writer: write[2] ? write[1] : 'map' });
      }
      table.set(name, fields);
    }
  }
  return table;
}

// protoc-gen-js getter names: each '_'-separated part capitalised, the rest lowercased; List/Map suffixes.
const jsName = (field) => field.name.split('_').map((p) => p[0].toUpperCase() + p.slice(1).toLowerCase()).join('')
  + (field.map ? 'Map' : field.repeated ? 'List' : '');

const scalarWriters = { string: 'String', bool: 'Bool', double: 'Double', int32: 'Int32', int64: 'Int64', bytes: 'Bytes' };
function expectedWriter(field) {
  if (field.map) return 'map';
  const base = field.resolvedType instanceof protobuf.Enum ? 'Enum' : field.resolvedType ? 'Message' : scalarWriters[field.type];
  return `write${field.repeated ? (base === 'Message' ? 'Repeated' : 'Repeated') : ''}${base}`;
}

function* messages(ns, prefix = 'pulumirpc') {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) {
      yield [`${prefix}.${nested.name}`, nested];
      yield* messages(nested, `${prefix}.${nested.name}`);
    } else if (nested instanceof protobuf.Enum) {
      // enums are checked below
    }
  }
}

test('Every message and field of our .proto files has upstream\'s number, name and wire type', () => {
  const table = upstreamFields();
  let checked = 0;
  for (const [name, type] of messages(ours)) {
    const fields = table.get(name);
    assert.ok(fields, `upstream has no message ${name}`);
    for (const field of type.fieldsArray) {
      const theirs = fields.get(field.id);
      assert.ok(theirs, `${name}.${field.name} = ${field.id}: upstream has no field ${field.id}`);
      if (theirs.getter) assert.equal(theirs.getter, jsName(field), `${name} field ${field.id} is named differently upstream`);
      assert.equal(theirs.writer, expectedWriter(field), `${name}.${field.name} has another type upstream`);
      checked++;
    }
  }
  assert.ok(checked > 100, `checked ${checked} fields`);
});

test('Every enum value of our .proto files is upstream\'s', () => {
  const enums = [
    [ours.lookupEnum('LogSeverity'), up.enginePb.LogSeverity],
    [ours.lookupEnum('PropertyDiff.Kind'), up.providerPb.PropertyDiff.Kind],
    [ours.lookupEnum('DiffResponse.DiffChanges'), up.providerPb.DiffResponse.DiffChanges],
  ];
  for (const [mine, theirs] of enums) assert.deepEqual({ ...mine.values }, { ...theirs }, mine.name);
});

test('Every service method of our .proto files has upstream\'s path and message types', () => {
  const services = {
    ResourceProvider: [up.providerGrpc.ResourceProviderService, { ...up.providerPb, ...up.pluginPb }],
    ResourceMonitor: [up.resourceGrpc.ResourceMonitorService, up.resourcePb],
    Engine: [up.engineGrpc.EngineService, up.enginePb],
  };
  let checked = 0;
  for (const [serviceName, [definition, pb]] of Object.entries(services)) {
    const service = ours.lookupService(serviceName);
    for (const method of service.methodsArray) {
      const theirs = definition[method.name[0].toLowerCase() + method.name.slice(1)];
      assert.ok(theirs, `upstream ${serviceName} has no ${method.name}`);
      assert.equal(theirs.path, `/pulumirpc.${serviceName}/${method.name}`);
      const typeOf = (t) => (t.startsWith('google.protobuf.') ? up.emptyPb[t.split('.').pop()] : pb[t.split('.').pop()]);
      assert.equal(theirs.requestType, typeOf(method.resolvedRequestType.fullName.slice(1)), `${method.name} request type`);
      assert.equal(theirs.responseType, typeOf(method.resolvedResponseType.fullName.slice(1)), `${method.name} response type`);
      assert.equal(theirs.requestStream || theirs.responseStream, false);
      checked++;
    }
  }
  assert.equal(checked, 20);
});
