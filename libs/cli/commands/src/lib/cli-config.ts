/**
 * The CLI's environment settings, read in one place (CONVENTIONS C13: `process.env` only in config files).
 */

/** `STRATA_CLI_POLL_MS`: how often long-running commands (train, batch-score, ...) poll, ms (default 1000). */
export function cliPollMs(): number {
  return Number(process.env['STRATA_CLI_POLL_MS'] ?? 1000);
}

/** The actor the CLI records on audited writes: `cli:<login name>` (`$USER`, else `unknown`). */
export function cliActor(): string {
  return `cli:${process.env['USER'] ?? 'unknown'}`;
}
