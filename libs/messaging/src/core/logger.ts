/** The logging surface the lib needs; Nest's `Logger` and pino fit it. */
export interface MessagingLogger {
  debug?(message: string, context?: Record<string, unknown>): void;
  log(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

function write(level: string, message: string, context?: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ level, msg: message, ...context, time: new Date().toISOString() })}\n`);
}

/** Default logger: warnings and errors as JSON lines on stderr; info and debug dropped. */
export const stderrLogger: MessagingLogger = {
  log: () => undefined,
  warn: (m, c) => write('warn', m, c),
  error: (m, c) => write('error', m, c),
};

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: MessagingLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
