import { AppError } from '../../core/errors.ts';

/** WeCom answered with a non-zero `errcode` that is not handled as an expected outcome. */
export class WecomApiError extends AppError {
  readonly errcode: number;
  readonly errmsg: string;
  /** API path, e.g. `/cgi-bin/kf/send_msg` (never the query string, which holds the token). */
  readonly path: string;

  constructor(path: string, errcode: number, errmsg: string) {
    super('WECOM_API_ERROR', `WeCom ${path} failed with errcode ${errcode}: ${errmsg}`, {
      status: 502,
      expose: false,
      context: { path, errcode, errmsg },
    });
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.path = path;
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
