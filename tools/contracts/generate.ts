/**
 * Generates the artefacts derived from libs/contracts (JSON Schemas, topics.json, docs/events.md).
 *
 *   node -r @swc-node/register tools/contracts/generate.ts           write the files
 *   node -r @swc-node/register tools/contracts/generate.ts --check   exit 1 if any file is stale
 *
 * Stale JSON Schema files of topics that no longer exist are removed (write) or reported (check).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JSON_SCHEMA_DIR, renderAll } from '../../libs/contracts/src/render-artifacts';

const ROOT = path.resolve(__dirname, '../..');

/** Compares or writes the generated files. Returns the list of stale paths (relative). */
export function generate(check: boolean): string[] {
  const files = renderAll();
  const stale: string[] = [];
  for (const [rel, content] of files) {
    const abs = path.join(ROOT, rel);
    const current = fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : undefined;
    if (current === content) continue;
    stale.push(rel);
    if (!check) {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
    }
  }
  const schemaDir = path.join(ROOT, JSON_SCHEMA_DIR);
  if (fs.existsSync(schemaDir)) {
    for (const name of fs.readdirSync(schemaDir)) {
      const rel = `${JSON_SCHEMA_DIR}/${name}`;
      if (files.has(rel)) continue;
      stale.push(rel);
      if (!check) fs.rmSync(path.join(ROOT, rel));
    }
  }
  return stale;
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const stale = generate(check);
  if (check && stale.length > 0) {
    process.stderr.write(
      `contracts: ${stale.length} generated file(s) are stale:\n${stale.map((s) => `  ${s}`).join('\n')}\n` +
        'run: node -r @swc-node/register tools/contracts/generate.ts\n',
    );
    process.exit(1);
  }
  process.stdout.write(
    check ? 'contracts: generated files are up to date\n' : `contracts: ${stale.length} file(s) written\n`,
  );
}
