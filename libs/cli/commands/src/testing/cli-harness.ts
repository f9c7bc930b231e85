import type { StrataLifecycleApi } from '@strata/shared/data-access-strata-client';
import { Command } from 'commander';
import type { CliContext } from '../lib/context';
import { processOutput } from '../lib/output';

/** The program of a command spec and what it printed. */
export interface CliHarness {
  program: Command;
  /** Every chunk written to stdout since the harness was made. */
  stdout: string[];
  /** Every chunk written to stderr since the harness was made (not printed). */
  stderr: string[];
  /** Parses `strata <prefix…> <argv…>` (commander's exitOverride: a usage error rejects). */
  run(argv: string[]): Promise<Command>;
}

/**
 * A `strata` program for a command spec: `register(program, ctx)` adds the commands under test
 * with a CliContext whose `api()` is `api`, relative paths read from `cwd` (default the process's),
 * 1 ms polling and non-interactive output. stdout and stderr are captured with jest spies: call
 * `jest.restoreAllMocks()` in afterEach.
 */
export function cliHarness(api: StrataLifecycleApi, register: (program: Command, ctx: CliContext) => void, opts: { cwd?: string; prefix?: string[] } = {}): CliHarness {
  const ctx: CliContext = { api: () => api, output: (o) => ({ ...processOutput(Boolean(o.json)), interactive: false }), cwd: opts.cwd ?? process.cwd(), pollMs: 1 };
  const program = new Command().name('strata').exitOverride();
  register(program, ctx);
  const stdout: string[] = [];
  const stderr: string[] = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((s) => (stdout.push(String(s)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
  return { program, stdout, stderr, run: (argv) => program.parseAsync(['node', 'strata', ...(opts.prefix ?? []), ...argv]) };
}
