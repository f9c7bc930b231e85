/**
 * Command-line and environment helpers every benchmark script shares: `--name value` options and
 * the stack's `.stack/env` file (written by tools/stack).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The value after `--<name>` in `process.argv`, or `def` when the option is absent or has no (non-empty) value. */
export const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : def;
};

/** `<root>/.stack/env` (`NAME=value` lines) as a record; a missing file gives `{}`. */
export function stackEnv(root: string): Record<string, string> {
  const env: Record<string, string> = {};
  const file = path.join(root, '.stack/env');
  if (!fs.existsSync(file)) return env;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_0-9]+)=(.*)$/.exec(line);
    if (m) env[m[1] as string] = m[2] as string;
  }
  return env;
}
