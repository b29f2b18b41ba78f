/**
 * Typed application errors. Every error the service raises on purpose carries a stable
 * UPPER_SNAKE `code`, an HTTP `status`, whether its message may be shown to the caller
 * (`expose`), and structured `context` for logs. The HTTP error middleware turns them into
 * `{ error: { code, message } }` bodies.
 *
 * @example
 * throw new ValidationError('FLOW_INVALID', 'Flow has 2 problems; fix them and publish again', { problems });
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly context: Record<string, unknown>;
  /** Doing the same again later may succeed (an outage, a lost race); default: status 502–504. */
  readonly retryable: boolean;
  /**
   * The request may have taken effect although it failed (a timeout, a connection lost before
   * the answer): repeating it might do it twice. False when the other side answered "no".
   */
  readonly outcomeUnknown: boolean;

  constructor(
    code: string,
    message: string,
    options: { status?: number; expose?: boolean; context?: Record<string, unknown>; cause?: unknown; retryable?: boolean; outcomeUnknown?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 500;
    this.expose = options.expose ?? this.status < 500;
    this.context = options.context ?? {};
    this.retryable = options.retryable ?? (this.status >= 502 && this.status <= 504);
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

/** The caller sent something we cannot accept (400). */
export class ValidationError extends AppError {
  constructor(code: string, message: string, context: Record<string, unknown> = {}) {
    super(code, message, { status: 400, context });
  }
}

/** Missing or wrong credentials (401). */
export class UnauthorizedError extends AppError {
  constructor(message = 'Send a valid bearer token in the Authorization header', code = 'UNAUTHORIZED') {
    super(code, message, { status: 401 });
  }
}

/** Authenticated but not allowed (403); `code` names the rule that said no (default FORBIDDEN). */
export class ForbiddenError extends AppError {
  constructor(message: string, context: Record<string, unknown> = {}, code = 'FORBIDDEN') {
    super(code, message, { status: 403, context });
  }
}

/** The thing asked for does not exist (404). */
export class NotFoundError extends AppError {
  constructor(code: string, message: string, context: Record<string, unknown> = {}) {
    super(code, message, { status: 404, context });
  }
}

/** A write lost a race with another writer (409). */
export class ConflictError extends AppError {
  constructor(code: string, message: string, context: Record<string, unknown> = {}) {
    super(code, message, { status: 409, context });
  }
}

/** Start-up configuration is missing or malformed. */
export class ConfigError extends AppError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('CONFIG_INVALID', message, { status: 500, expose: false, context });
  }
}

/** A dependency outside the process (WeCom, LLM, MongoDB, Redis) failed or timed out. */
export class UpstreamError extends AppError {
  constructor(code: string, message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { status: 502, expose: false, context, cause });
  }
}

/** A revision-guarded write found that someone else saved first: reload and try again (409). */
export class ConcurrentUpdateError extends AppError {
  constructor(code: string, message: string, context: Record<string, unknown> = {}) {
    super(code, message, { status: 409, context, retryable: true });
  }
}

/** Waiting for something outside the process took too long (504). */
export class TimeoutError extends AppError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TIMEOUT', message, { status: 504, expose: false, context });
  }
}

// Driver errors that mean "the database or Redis is unreachable right now", by class name so core
// needs neither driver.
const OUTAGE_ERROR_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
  'MongoTopologyClosedError',
  'MaxRetriesPerRequestError',
]);
const OUTAGE_SYSCALL_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTCONN']);

/**
 * Whether an error may go away by itself (a store or WeCom outage, a timeout, a lost race), so
 * the work should be retried, as opposed to bad input or a bug that would fail the same way again.
 */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof AppError) return error.retryable;
  if (!(error instanceof Error)) return false;
  if (OUTAGE_ERROR_NAMES.has(error.name) || error.name.startsWith('MongoNetwork')) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && OUTAGE_SYSCALL_CODES.has(code)) return true;
  // ioredis rejects queued commands with this message while it reconnects.
  if (/Connection is closed|Stream isn't writeable|connect ECONNREFUSED/.test(error.message)) return true;
  return error.cause !== undefined && error.cause !== error && isRetryableError(error.cause);
}
