/**
 * Runs a TypeScript script of this folder in a child Node process for the crash specs (a process
 * that is SIGKILLed mid-work): through @swc-node/register, from the repo root, stdout and stderr
 * piped to the caller.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { REPO_ROOT } from './harness';

/**
 * Spawns `node -r @swc-node/register testing/<script> ...args` (the kafkajs partitioner warning off).
 *
 * @param script file name inside libs/messaging/src/testing, e.g. `sigkill-child.ts`.
 */
export function spawnTestChild(script: string, args: string[]): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, script), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
