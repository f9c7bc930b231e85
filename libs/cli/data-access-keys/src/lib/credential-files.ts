import fs from 'node:fs';
import path from 'node:path';

/** Writes `content` with mode 600 (created so, and tightened if it existed); its directory gets mode 700 when created. */
export function writePrivate(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, content, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** The trimmed content of a key file, or undefined when it is missing, unreadable or empty. */
export function readKeyFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
