/** One Jest run: unit specs beside the code, e2e specs against the real stack booted once. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/src/**/*.spec.ts', '**/test/**/*.e2e-spec.ts', '**/test/**/*.service-spec.ts', '<rootDir>/test/**/*.spec.ts'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.base.json' }] },
  globalSetup: '<rootDir>/libs/testing/dist/jest-global-setup.js',
  globalTeardown: '<rootDir>/libs/testing/dist/jest-global-teardown.js',
  testTimeout: 30000,
  maxWorkers: 2,
};
