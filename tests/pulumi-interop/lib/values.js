// Helpers over Pulumi's Struct encoding, using upstream's constants.
'use strict';
const { rpc, structPb } = require('./upstream');

const toStruct = (obj) => structPb.Struct.fromJavaScript(obj);
const fromStruct = (s) => (s ? s.toJavaScript() : undefined);
const secret = (value) => ({ [rpc.specialSigKey]: rpc.specialSecretSig, value });
const unknown = rpc.unknownValue;

/** Every plaintext held inside a secret wrapper, anywhere in the value. */
function secretsIn(value, found = []) {
  if (rpc.isRpcSecret(value)) {
    collectStrings(rpc.unwrapRpcSecret(value), found);
  } else if (Array.isArray(value)) {
    value.forEach((v) => secretsIn(v, found));
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach((v) => secretsIn(v, found));
  }
  return found;
}

function collectStrings(value, found) {
  if (typeof value === 'string') {
    if (value !== unknown) found.push(value);
  } else if (Array.isArray(value)) {
    value.forEach((v) => collectStrings(v, found));
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach((v) => collectStrings(v, found));
  }
}

/** The value as JSON text with every secret wrapper's content removed: what may be seen in plaintext. */
function withoutSecrets(value) {
  return JSON.stringify(value, (_, v) => (rpc.isRpcSecret(v) ? '[secret]' : v));
}

module.exports = { toStruct, fromStruct, secret, unknown, secretsIn, withoutSecrets };
