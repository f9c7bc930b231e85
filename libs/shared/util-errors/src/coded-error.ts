/** Options of {@link CodedError}. */
export interface CodedErrorOptions {
  /** Structured context (key, topic, view, expected/actual values…); `{}` when absent. */
  details?: Record<string, unknown>;
  cause?: unknown;
  /** True when retrying the same call may succeed; false when absent. */
  retryable?: boolean;
}

/**
 * Base of a lib's own error family (object store, offline store, dataset ingestion, messaging):
 * a stable machine `code` from the lib's own code set `C` (unlike {@link AppError}, whose codes
 * are the shared `ErrorCode`), a `retryable` flag (false unless stated) and `details` (`{}` unless
 * given). `name` is the concrete class's name.
 */
export class CodedError<C extends string> extends Error {
  /** Stable machine code. */
  readonly code: C;
  /** True when retrying the same operation may succeed (I/O hiccups), false for bad input or corrupt data. */
  readonly retryable: boolean;
  /** Structured context of the failure. */
  readonly details: Record<string, unknown>;

  constructor(code: C, message: string, opts: CodedErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details ?? {};
  }
}
