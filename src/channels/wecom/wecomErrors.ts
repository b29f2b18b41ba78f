import { AppError } from '../../core/errors.ts';

/** errcodes that mean "busy, try again": system busy, API frequency or concurrency limits. */
export const WECOM_BUSY_ERRCODES: ReadonlySet<number> = new Set([-1, 45009, 45033]);

/** WeCom answered with a non-zero `errcode` that is not handled as an expected outcome. */
export class WecomApiError extends AppError {
  readonly errcode: number;
  readonly errmsg: string;
  /** API path, e.g. `/cgi-bin/kf/send_msg` (never the query string, which holds the token). */
  readonly path: string;
  /**
   * An earlier attempt of this same call got no answer (timeout, network, HTTP error) and was
   * retried: it may have reached WeCom, so this answer may be about a repeat.
   */
  readonly afterUnansweredAttempt: boolean;

  constructor(path: string, errcode: number, errmsg: string, options: { afterUnansweredAttempt?: boolean } = {}) {
    super('WECOM_API_ERROR', `WeCom ${path} failed with errcode ${errcode}: ${errmsg}`, {
      status: 502,
      expose: false,
      context: { path, errcode, errmsg },
      // Only "busy" answers pass by themselves; any other errcode says the same on every retry.
      retryable: WECOM_BUSY_ERRCODES.has(errcode),
    });
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.path = path;
    this.afterUnansweredAttempt = options.afterUnansweredAttempt ?? false;
  }
}

/** WeCom could not be reached, timed out, or answered something that is not its JSON. */
export class WecomUnavailableError extends AppError {
  readonly path: string;

  constructor(path: string, message: string, cause?: unknown) {
    super('WECOM_UNAVAILABLE', `WeCom ${path}: ${message}`, { status: 502, expose: false, context: { path }, cause });
    this.path = path;
  }
}

/** Stable codes for refused callbacks; each maps to one HTTP status. */
export const callbackRejections = {
  WECOM_PARAMS_INVALID: 400,
  WECOM_SIGNATURE_INVALID: 401,
  WECOM_TIMESTAMP_SKEW: 401,
  WECOM_CALLBACK_REPLAYED: 409,
  WECOM_RECEIVE_ID_MISMATCH: 403,
  WECOM_DECRYPT_FAILED: 400,
  WECOM_XML_INVALID: 400,
  WECOM_XML_DTD_FORBIDDEN: 400,
  WECOM_BODY_TOO_LARGE: 413,
  WECOM_BODY_UNREADABLE: 400,
} as const;

export type CallbackRejectionCode = keyof typeof callbackRejections;

/** Why a callback request was refused (an expected outcome, not a bug). */
export class WecomCallbackError extends AppError {
  declare readonly code: CallbackRejectionCode;

  constructor(code: CallbackRejectionCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, { status: callbackRejections[code], expose: true, context });
  }
}
