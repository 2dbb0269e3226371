// jest-environment-node, except that typed arrays are the host realm's. Jest runs each test file in its own vm
// context with its own Float32Array & co., so an array made in a test fails onnxruntime-node's `instanceof` checks
// ("A float32 tensor's data must be type of Float32Array", onnxruntime issue #16622). Opt in per file with the docblock
//   /** @jest-environment ./test/setup/node-typed-arrays-environment.ts */
// (or make it the suite's testEnvironment in jest.config.js).
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';

const TYPED_ARRAYS = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

export default class NodeTypedArraysEnvironment extends TestEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const host = globalThis as unknown as Record<string, unknown>;
    const sandbox = this.global as unknown as Record<string, unknown>;
    for (const name of TYPED_ARRAYS) sandbox[name] = host[name];
  }
}
