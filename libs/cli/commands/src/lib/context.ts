import { type StrataClient, StrataLifecycleApi } from '@strata/shared/data-access-strata-client';
import { type Command } from 'commander';
import { cliPollMs } from './cli-config';
import { type Output, processOutput } from './output';

/**
 * What every command gets: the API client (built lazily, so `--help` and argument errors need no
 * credentials) and its output. `makeClient` is the app's (credentials as `strata` reads them:
 * STRATA_API_KEY, STRATA_API_KEY_FILE, else the operator key of .run/credentials.env).
 */
export interface CliContext {
  api(): StrataLifecycleApi;
  output(opts: { json?: boolean }): Output;
  /** directory relative paths are read from (the process's cwd) */
  cwd: string;
  /** polling interval of followed work (ms) */
  pollMs: number;
}

export function cliContext(makeClient: () => StrataClient, cwd = process.cwd()): CliContext {
  let api: StrataLifecycleApi | undefined;
  return {
    api: () => (api ??= new StrataLifecycleApi(makeClient())),
    output: (opts) => processOutput(Boolean(opts.json)),
    cwd,
    pollMs: cliPollMs(),
  };
}

/** Adds `--json` and an examples section to `--help`. */
export function withCommon(cmd: Command, examples: string[]): Command {
  cmd.option('--json', 'print one JSON document on stdout (for scripts)');
  if (examples.length) cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
  return cmd;
}
