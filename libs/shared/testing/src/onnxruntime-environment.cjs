/**
 * Jest environment for specs that run onnxruntime-node. Jest gives each test file its own
 * realm, so typed arrays created there fail onnxruntime's `instanceof Float32Array` checks
 * (and the ones onnxruntime creates fail the test's). This environment shares the host
 * realm's typed-array constructors with the test realm. Use with the docblock
 * `@jest-environment ./test/onnxruntime-environment.cjs` (resolved from the project root, e.g. `../../../libs/shared/testing/src/onnxruntime-environment.cjs`).
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class OnnxRuntimeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxRuntimeEnvironment;
