import { readFileSync, statSync } from 'node:fs';
import type { CommandTrainerSpec } from './command-trainer';

/**
 * External trainers registered without restarting the training service: a trainers FILE that
 * the service re-reads when it changes (same JSON as `TRAINING_COMMAND_TRAINERS`), merged with the
 * trainers of the environment. Security model: docs/security.md ("External trainers").
 */

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/**
 * Parses command trainers: JSON `{"<name>": ["program", "arg", ...]}` or
 * `{"<name>": {"command": [...], "cwd"?: "...", "env"?: {"K": "v"}}}`.
 * @throws Error naming the entry that is not a name `^[a-z0-9][a-z0-9_.-]{0,63}$` with a
 *   non-empty string array command (or string cwd / string env values), or invalid JSON.
 */
export function parseCommandTrainers(json: string): Record<string, CommandTrainerSpec> {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('must be a JSON object of trainer name → command');
  const out: Record<string, CommandTrainerSpec> = {};
  for (const [name, spec] of Object.entries(parsed as Record<string, unknown>)) {
    const s = Array.isArray(spec) ? { command: spec } : (spec as { command?: unknown; cwd?: unknown; env?: unknown } | null);
    const ok =
      NAME.test(name) && s !== null && typeof s === 'object' && Array.isArray(s.command) && s.command.length > 0 && s.command.every((c) => typeof c === 'string') &&
      (s.cwd === undefined || typeof s.cwd === 'string') &&
      (s.env === undefined || (typeof s.env === 'object' && s.env !== null && Object.values(s.env).every((v) => typeof v === 'string')));
    if (!ok) throw new Error(`entry '${name}' must be a name ^[a-z0-9][a-z0-9_.-]{0,63}$ with a non-empty string array command (and optional string cwd, string env values)`);
    out[name] = { command: s!.command as string[], ...(typeof s!.cwd === 'string' ? { cwd: s!.cwd } : {}), ...(s!.env ? { env: s!.env as Record<string, string> } : {}) };
  }
  return out;
}

/** Options of {@link liveCommandTrainers}. */
export interface LiveTrainersOptions {
  /** Trainers of the environment (`TRAINING_COMMAND_TRAINERS`): fixed for the process, never overridden by the file. */
  staticTrainers: Record<string, CommandTrainerSpec>;
  /** The trainers file (`TRAINING_TRAINERS_FILE`); none: only `staticTrainers`. */
  file?: string;
  /** The file is looked at (one `stat`) at most this often, ms. Default 1000. */
  checkIntervalMs?: number;
  /** Told when the file is refused (unreadable, bad JSON, a bad entry, writable by group/others); the last good trainers stay. */
  onError?: (message: string) => void;
  /** Told when the file's trainers changed (names after the change). */
  onChange?: (names: string[]) => void;
}

/**
 * A live map of command trainers (name → spec) for the training API and worker: reading it (a
 * lookup, `Object.keys`, `in`) first checks the trainers file (at most every `checkIntervalMs`);
 * when its mtime or size changed it is re-read. A valid file replaces the file's trainers (a
 * removed entry is unregistered; a deleted file registers none); an invalid one is refused with
 * `onError` and the last good trainers stay. A file writable by group or others is refused (like
 * ssh refuses such an `authorized_keys`): whoever can write it can run commands as the service.
 * Environment trainers win over file trainers of the same name. No watcher handle: nothing to close.
 */
export function liveCommandTrainers(options: LiveTrainersOptions): Record<string, CommandTrainerSpec> {
  let fromFile: Record<string, CommandTrainerSpec> = {};
  let seen = '';
  let checkedAt = -Infinity;
  const interval = options.checkIntervalMs ?? 1000;
  const refresh = (): void => {
    if (!options.file || Date.now() - checkedAt < interval) return;
    checkedAt = Date.now();
    let stamp: string;
    let mode = 0;
    try {
      const st = statSync(options.file);
      stamp = `${st.mtimeMs}:${st.size}:${st.mode}`;
      mode = st.mode;
    } catch {
      stamp = 'absent';
    }
    if (stamp === seen) return;
    seen = stamp;
    if (stamp === 'absent') {
      fromFile = {};
      options.onChange?.([]);
      return;
    }
    try {
      if (process.platform !== 'win32' && (mode & 0o022) !== 0) throw new Error(`is writable by group or others (mode ${(mode & 0o777).toString(8)}): refused, chmod go-w it`);
      fromFile = parseCommandTrainers(readFileSync(options.file, 'utf8'));
      options.onChange?.(Object.keys(fromFile));
    } catch (e) {
      options.onError?.(`Trainers file ${options.file}: ${e instanceof Error ? e.message : String(e)}; keeping ${Object.keys(fromFile).join(', ') || 'no'} file trainers`);
    }
  };
  const current = (): Record<string, CommandTrainerSpec> => {
    refresh();
    return { ...fromFile, ...options.staticTrainers };
  };
  return new Proxy({} as Record<string, CommandTrainerSpec>, {
    get: (_t, key) => (typeof key === 'string' ? current()[key] : undefined),
    has: (_t, key) => typeof key === 'string' && key in current(),
    ownKeys: () => Object.keys(current()),
    getOwnPropertyDescriptor: (_t, key) => {
      const value = typeof key === 'string' ? current()[key] : undefined;
      return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
    },
    set: () => false,
    deleteProperty: () => false,
  });
}
