// Lint baseline (CONVENTIONS C2, C13): TypeScript strict rules, Nx module boundaries with real
// scope:/type: constraints, kafkajs only inside libs/messaging (and the stack tools), no
// process.env outside config and test harness, no Node built-ins in Temporal workflow files.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const scopes = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'];

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
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          // The Temporal worker needs the workflows lib as a file path (workflowsPath) besides its
          // static imports of types and the task queue name.
          checkDynamicDependenciesExceptions: ['@strata/training/workflows', '@strata/serving/workflows'],
          depConstraints: [
            ...scopes.map((s) => ({ sourceTag: `scope:${s}`, onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'] })),
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:cli', 'scope:shared'] },
            // end-to-end tests drive the system as the CLI does; they may also use pure utilities
            // (type:util, e.g. the trainers) to build fixtures such as a model artifact
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:e2e', 'scope:cli', 'scope:shared', 'type:util'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:workflows', 'type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:workflows', 'type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:workflows', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', 'type:data-access', 'type:testing'] },
            {
              sourceTag: 'platform:workflow',
              bannedExternalImports: ['@nestjs/*', 'typeorm', 'kafkajs', '@temporalio/worker', '@temporalio/client', '@temporalio/activity', 'pg'],
            },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
      'no-restricted-imports': ['error', { paths: [{ name: 'kafkajs', message: 'Produce and consume through @strata/messaging (CONVENTIONS C4).' }] }],
    },
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
