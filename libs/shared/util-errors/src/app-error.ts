/**
 * Machine-readable error codes shared by every Strata service. Each code maps to one HTTP
 * status in {@link HTTP_STATUS_BY_CODE} (one table per transport, as MLflow's
 * `ERROR_CODE_TO_HTTP_STATUS`), and decides retry behaviour for Kafka consumers and
 * Temporal activities through `retryable`.
 */
export const ErrorCode = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTEGRITY_ERROR: 'INTEGRITY_ERROR',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  UNAVAILABLE: 503,
  INTEGRITY_ERROR: 422,
  INTERNAL: 500,
};

export interface AppErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  retryable?: boolean;
}

/**
 * Base class of every domain error that crosses a lib boundary. Messages name the object
 * (`Model version 'adult-income@7' not found`).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? code === ErrorCode.UNAVAILABLE;
    this.details = options.details;
  }

  /** HTTP status for this error's code. */
  get httpStatus(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }
}

/** Thrown when a request or event carries invalid data; `details.issues` says what and where. */
export class InvalidArgumentError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(ErrorCode.INVALID_ARGUMENT, message, { ...options, retryable: false });
  }
}

/** Thrown when a named object does not exist. */
export class NotFoundError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(ErrorCode.NOT_FOUND, message, { ...options, retryable: false });
  }
}

/** Thrown when an operation conflicts with current state (e.g. deleting a version an alias points to). */
export class ConflictError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(ErrorCode.CONFLICT, message, { ...options, retryable: false });
  }
}

/** Thrown when a dependency (database, broker, another service) is unreachable; retryable. */
export class UnavailableError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(ErrorCode.UNAVAILABLE, message, { ...options, retryable: true });
  }
}

/** Thrown when stored bytes do not match their recorded digest or size. */
export class IntegrityError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(ErrorCode.INTEGRITY_ERROR, message, { ...options, retryable: false });
  }
}

/** Turns zod issues into `path: message` strings for error details. */
export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string[] {
  return issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`);
}
