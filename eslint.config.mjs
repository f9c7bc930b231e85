// Lint baseline (CONVENTIONS C2, C13): TypeScript strict rules, Nx module boundaries with real
// scope:/type: constraints, kafkajs only inside libs/messaging (and the stack tools), no
// process.env outside config files and test harness, no floating promises, no import cycles, no
// Node built-ins in Temporal workflow files.
import nx from '@nx/eslint-plugin';
import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

const scopes = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'];

// Which libs each kind of project may import (Nx tags). Test files (specs, int/e2e specs) may
// also use the shared test harness (type:testing: infra endpoints, eventually(), mulberry32).
const depConstraints = [
            ...scopes.map((s) => ({ sourceTag: `scope:${s}`, onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'] })),
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:cli', 'scope:shared'] },
            // end-to-end tests drive the system as the CLI does; they may also use pure utilities
            // (type:util, e.g. the trainers) to build fixtures such as a model artifact
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:e2e', 'scope:cli', 'scope:shared', 'type:util'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:workflows', 'type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:workflows', 'type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:workflows', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', 'type:data-access', 'type:testing'] },
            {
              sourceTag: 'platform:workflow',
              bannedExternalImports: ['@nestjs/*', 'typeorm', 'kafkajs', '@temporalio/worker', '@temporalio/client', '@temporalio/activity', 'pg'],
            },
];
const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'];
const testDepConstraints = depConstraints.map((c) =>
  c.onlyDependOnLibsWithTags && c.sourceTag.startsWith('type:') && !c.onlyDependOnLibsWithTags.includes('type:testing')
    ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] }
    : c,
);
const moduleBoundaries = (constraints) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    // The Temporal worker needs the workflows lib as a file path (workflowsPath) besides its
    // static imports of types and the task queue name.
    checkDynamicDependenciesExceptions: ['@strata/training/workflows', '@strata/serving/workflows'],
    depConstraints: constraints,
  },
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '.stack/**', '.run/**', '.nx/**', '**/*.cjs', '**/*.mjs', '**/generated/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      // consistent-type-imports must keep value imports that NestJS DI reads through decorator metadata
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
    },
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(depConstraints),
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
      'no-restricted-imports': ['error', { paths: [{ name: 'kafkajs', message: 'Produce and consume through @strata/messaging (CONVENTIONS C4).' }] }],
      // The environment is read in config files only (see the override below for where).
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read the environment in a config file (config.ts, *-config.ts) and pass values in (CONVENTIONS C13).' }],
    },
  },
  {
    // Type-aware rules, TS sources only: one TypeScript program for the repo (tsconfig.json
    // includes apps, libs, tools, bench, examples).
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // An unawaited promise loses its error (unhandled rejection) and its ordering; `void p`
      // marks a deliberate fire-and-forget.
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // Import cycles inside a project (relative imports). Cycles BETWEEN projects are refused by
    // @nx/enforce-module-boundaries (it walks the project graph), so this resolver follows
    // relative paths only and stays fast.
    files: ['**/*.ts'],
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js'] } }, 'import/extensions': ['.ts'], 'import/parsers': { '@typescript-eslint/parser': ['.ts'] } },
    rules: { 'import/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries(testDepConstraints) },
  },
  {
    // Where process.env may be read: config files (an app's config.ts, a lib's *-config.ts,
    // @strata/shared/util-config), process entry points (apps' main.ts), tests and their
    // harnesses, tools and benchmarks.
    files: [
      '**/config.ts',
      '**/*-config.ts',
      'libs/shared/util-config/**/*.ts',
      'apps/*/src/main.ts',
      ...TEST_FILES,
      'libs/shared/testing/**/*.ts',
      'libs/messaging/src/testing/**/*.ts',
      '**/*test-env.ts',
      'apps/strata-e2e/**/*.ts',
      'tools/**/*.ts',
      'bench/**/*.ts',
      'examples/**/*.ts',
      // the service's own outgoing credential (STRATA_API_KEY[_FILE], cached per process): left
      // as is while the one typed service client replaces the client helpers (issue 16)
      'libs/shared/data-access-strata-client/src/lib/credentials.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // The messaging lib and the stack/health tooling are the only places that speak kafkajs.
    files: ['libs/messaging/**/*.ts', 'tools/**/*.ts', 'bench/**/*.ts', 'libs/shared/testing/**/*.ts', '**/*.int-spec.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['apps/cli/**/*.ts', 'tools/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts', '**/*.int-spec.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.workflow.ts', 'libs/training/workflows/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'fs', 'path', 'crypto', 'child_process', 'os', 'http', 'https', 'net'], message: 'Workflow code must be deterministic: no Node built-ins (CONVENTIONS C5).' }] },
      ],
    },
  },
];
