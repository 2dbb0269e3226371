/** @type {import('jest').Config} */
module.exports = {
  // jest-environment-node with the host's typed arrays: onnxruntime (the embedding model) rejects the vm realm's.
  testEnvironment: '<rootDir>/test/setup/node-typed-arrays-environment.ts',
  roots: ['<rootDir>/test', '<rootDir>/adapters', '<rootDir>/conversations', '<rootDir>/knowledge', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    // jose (under the Teams SDK's JWKS client) and email-reply-parser ship only as ES modules, which jest's CommonJS
    // runtime cannot require on Node 20; Node itself and tsx load them fine, so only the tests need them compiled.
    '^.+/node_modules/(jose|email-reply-parser)/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|email-reply-parser)/)'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 30000,
  // The embedded store is one JVM shared by every worker; two workers keep the two cores busy without thrashing.
  maxWorkers: 2,
};
