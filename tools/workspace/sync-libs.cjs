#!/usr/bin/env node
/**
 * Keeps every lib listed in tools/workspace/libs.json wired into the workspace:
 * tsconfig.base.json path alias, project.json (tags, test/test-int targets),
 * jest.config.cjs and a src/index.ts. Existing files are left alone except the path map.
 * Run: node tools/workspace/sync-libs.cjs
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '../..');
const libs = JSON.parse(fs.readFileSync(path.join(__dirname, 'libs.json'), 'utf8'));

const tsconfigPath = path.join(root, 'tsconfig.base.json');
const tsconfig = JSON.parse(fs.readFileSync(tsconfigPath, 'utf8'));
const paths = {};
for (const lib of libs) paths[lib.import] = [`${lib.dir}/src/index.ts`];
tsconfig.compilerOptions.paths = paths;
fs.writeFileSync(tsconfigPath, JSON.stringify(tsconfig, null, 2) + '\n');

const writeIfMissing = (file, content) => {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
};
for (const lib of libs) {
  const dir = path.join(root, lib.dir);
  const name = lib.import.replace('@strata/', '').replace(/\//g, '-');
  const depth = lib.dir.split('/').length;
  const up = '../'.repeat(depth);
  writeIfMissing(
    path.join(dir, 'project.json'),
    JSON.stringify(
      {
        name,
        $schema: `${up}node_modules/nx/schemas/project-schema.json`,
        sourceRoot: `${lib.dir}/src`,
        projectType: 'library',
        tags: lib.tags,
        targets: {
          test: {
            executor: 'nx:run-commands',
            options: { command: `jest -c ${lib.dir}/jest.config.cjs --selectProjects unit --passWithNoTests`, cwd: '{workspaceRoot}' },
          },
          'test-int': {
            executor: 'nx:run-commands',
            options: { command: `jest -c ${lib.dir}/jest.config.cjs --selectProjects int --passWithNoTests --runInBand`, cwd: '{workspaceRoot}' },
          },
          e2e: {
            executor: 'nx:run-commands',
            options: { command: `jest -c ${lib.dir}/jest.config.cjs --selectProjects e2e --passWithNoTests --runInBand`, cwd: '{workspaceRoot}' },
          },
          lint: { executor: 'nx:run-commands', options: { command: `eslint ${lib.dir}`, cwd: '{workspaceRoot}' } },
        },
      },
      null,
      2,
    ) + '\n',
  );
  writeIfMissing(
    path.join(dir, 'jest.config.cjs'),
    `const { createJestConfig } = require('${up}jest.preset.cjs');\n\nmodule.exports = createJestConfig(__dirname);\n`,
  );
  writeIfMissing(path.join(dir, 'src/index.ts'), `/**\n * @module ${lib.import}\n *\n * ${lib.purpose}\n */\nexport {};\n`);
  writeIfMissing(
    path.join(dir, 'README.md'),
    `# ${lib.import}\n\n${lib.purpose}\n\nTags: ${lib.tags.map((t) => '`' + t + '`').join(', ')}.\n`,
  );
}
console.log(`synced ${libs.length} libs`);
