/**
 * Shared jest setup for every Nx project.
 *
 * createJestConfig(projectDir) returns a config with two jest "projects":
 *   unit  `*.spec.ts`      (no network; in-memory doubles allowed)      -> nx target `test`
 *   int   `*.int-spec.ts`  (real Kafka, Temporal and PostgreSQL)        -> nx target `test-int`
 *   e2e   `*.e2e-spec.ts`  (built services on the real stack)           -> nx target `e2e`
 * TypeScript is transpiled by @swc/jest (legacy decorators + metadata, as NestJS needs);
 * type checking is the separate `npm run typecheck`. `@strata/*` path aliases come from
 * tsconfig.base.json so tests resolve libs exactly as the apps do.
 */
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const rootDir = __dirname;
const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`] = path.join(rootDir, target);
}

const transform = {
  '^.+\\.(t|j)s$': [
    '@swc/jest',
    {
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};

function tier(projectDir, displayName, testMatch, extra = {}) {
  return {
    displayName,
    rootDir: projectDir,
    testEnvironment: 'node',
    transform,
    moduleNameMapper,
    moduleFileExtensions: ['ts', 'js', 'json'],
    testMatch,
    ...extra,
  };
}

function createJestConfig(projectDir, options = {}) {
  return {
    reporters: ['default', path.join(rootDir, 'tools/test/summary-reporter.cjs')],
    projects: [
      tier(projectDir, 'unit', ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts']),
      tier(projectDir, 'int', ['<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'], {
        globalSetup: path.join(rootDir, 'libs/shared/testing/src/global-setup.cjs'),
        slowTestThreshold: 30,
        ...(options.int ?? {}),
      }),
      tier(projectDir, 'e2e', ['<rootDir>/src/**/*.e2e-spec.ts'], {
        globalSetup: path.join(rootDir, 'libs/shared/testing/src/global-setup.cjs'),
        slowTestThreshold: 60,
      }),
    ],
  };
}

module.exports = { createJestConfig, transform, moduleNameMapper };
