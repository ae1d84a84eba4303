// Upstream's protoc-generated stubs and property encoding, as npm @pulumi/pulumi ships them. Everything the harness
// sends or reads goes through these, so a field name, number or type that differs from upstream shows up here.
'use strict';
const path = require('node:path');

const pulumiDir = path.dirname(require.resolve('@pulumi/pulumi/package.json'));
const load = (name) => require(path.join(pulumiDir, 'proto', name));

module.exports = {
  pulumiDir,
  grpc: require('@grpc/grpc-js'),
  providerGrpc: load('provider_grpc_pb.js'),
  providerPb: load('provider_pb.js'),
  pluginPb: load('plugin_pb.js'),
  resourceGrpc: load('resource_grpc_pb.js'),
  resourcePb: load('resource_pb.js'),
  engineGrpc: load('engine_grpc_pb.js'),
  enginePb: load('engine_pb.js'),
  structPb: require('google-protobuf/google/protobuf/struct_pb.js'),
  emptyPb: require('google-protobuf/google/protobuf/empty_pb.js'),
  // sdk/nodejs/runtime/rpc.ts: specialSigKey, specialSecretSig, unknownValue, isRpcSecret ...
  rpc: require(path.join(pulumiDir, 'runtime', 'rpc.js')),
};
