/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
];

module.exports = {
  testEnvironment: 'node',
  // jose and file-type (with its tokenizer packages) are published as ESM only; swc turns them into CommonJS for
  // jest's module system.
  transform: { '^.+\\.(t|j)sx?$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|file-type|strtok3|token-types|@tokenizer|uint8array-extras|@borewit)/)',
  ],
  // file-type's package exports offer only an `import` condition, which jest's resolver (require) does not take.
  moduleNameMapper: { '^file-type$': '<rootDir>/node_modules/file-type/index.js' },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 30000,
  // The tests mostly wait on loopback I/O (Azurite, the emulator, the dev host): two workers on two cores halve the
  // wall time (jest's default here would be one).
  maxWorkers: 2,
};
