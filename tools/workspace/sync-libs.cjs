#!/usr/bin/env node
/**
 * Keeps every lib listed in tools/workspace/libs.json wired into the workspace:
 * tsconfig.base.json path alias, project.json (tags, test/test-int targets),
 * jest.config.cjs and a src/index.ts. Existing files are left alone except the path map.
 * An entry with `entry` is a second entry point of another lib's folder (e.g. `@strata/contracts/api`):
 * it only gets its path alias.
 * Run: node tools/workspace/sync-libs.cjs            (writes)
 *      node tools/workspace/sync-libs.cjs --check    (writes nothing; exit 1 listing every difference
 *      between libs.json and tsconfig.base.json's paths or a project.json's tags)
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '../..');
const libs = JSON.parse(fs.readFileSync(path.join(__dirname, 'libs.json'), 'utf8'));

const tsconfigPath = path.join(root, 'tsconfig.base.json');
const tsconfig = JSON.parse(fs.readFileSync(tsconfigPath, 'utf8'));
const paths = {};
for (const lib of libs) paths[lib.import] = [lib.entry ?? `${lib.dir}/src/index.ts`];

if (process.argv.includes('--check')) {
  const problems = [];
  const actual = tsconfig.compilerOptions.paths ?? {};
  for (const [alias, target] of Object.entries(paths)) {
    if (!actual[alias]) problems.push(`${alias}: in libs.json, missing from tsconfig.base.json paths`);
    else if (actual[alias][0] !== target[0]) problems.push(`${alias}: libs.json says ${target[0]}, tsconfig.base.json says ${actual[alias][0]}`);
  }
  for (const alias of Object.keys(actual)) if (!paths[alias]) problems.push(`${alias}: in tsconfig.base.json paths, missing from libs.json`);
  for (const lib of libs.filter((l) => !l.entry)) {
    const projectFile = path.join(root, lib.dir, 'project.json');
    if (!fs.existsSync(projectFile)) { problems.push(`${lib.import}: ${lib.dir}/project.json does not exist`); continue; }
    const tags = JSON.parse(fs.readFileSync(projectFile, 'utf8')).tags ?? [];
    if (JSON.stringify(tags) !== JSON.stringify(lib.tags)) problems.push(`${lib.import}: libs.json tags ${JSON.stringify(lib.tags)}, project.json tags ${JSON.stringify(tags)}`);
  }
  if (problems.length) {
    console.error(`tools/workspace/libs.json is out of date (${problems.length}):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`libs.json matches tsconfig.base.json and the project tags (${libs.length} entries)`);
  process.exit(0);
}

tsconfig.compilerOptions.paths = paths;
fs.writeFileSync(tsconfigPath, JSON.stringify(tsconfig, null, 2) + '\n');

const writeIfMissing = (file, content) => {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
};
for (const lib of libs.filter((l) => !l.entry)) {
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
