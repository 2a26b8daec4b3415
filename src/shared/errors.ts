import { GraphQLError } from 'graphql';

/**
 * The catalog of error codes a client can see in `extensions.code`. Anything thrown with a code not
 * listed here is masked as INTERNAL_SERVER_ERROR before it leaves the server.
 */
export const ErrorCode = {
  /** Malformed or out-of-range input; `extensions.field` names the offending field. Thrown by services. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** No valid access token (missing, expired, revoked, wrong signature). Thrown by the auth guard. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Authenticated, but this caller may not do this (e.g. a user token on a bot-only field). */
  FORBIDDEN: 'FORBIDDEN',
  /** The object does not exist or is not visible to the caller. */
  NOT_FOUND: 'NOT_FOUND',
  /** The write collides with existing state (e.g. email already registered). */
  CONFLICT: 'CONFLICT',
  /** Login failed: unknown email, wrong password or no password. Always the same message. */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** The password was right, but the account's email address is not confirmed yet: no email sign-in. */
  EMAIL_NOT_VERIFIED: 'EMAIL_NOT_VERIFIED',
  /** Password shorter than the minimum or on the common-passwords list. */
  WEAK_PASSWORD: 'WEAK_PASSWORD',
  /** Per-IP rate limit hit, or a client paused after failed logins; `extensions.retryAfter` says how many seconds to wait. */
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  /** A rotated refresh token was replayed; the whole session has been revoked. */
  REFRESH_TOKEN_REUSED: 'REFRESH_TOKEN_REUSED',
  /** A dependency (database, Redis) is unreachable; retrying later may work. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** Anything unexpected. The real error is logged with the request id, never sent. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes produced by Apollo/graphql-js itself that are safe to pass through unchanged. */
export const PROTOCOL_ERROR_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  /** PERSISTED_ONLY=true and the operation is not a registered one (src/graphql/persisted.ts). */
  'PERSISTED_QUERY_NOT_IN_LIST',
] as const;

const CLIENT_VISIBLE_CODES = new Set<string>([...Object.values(ErrorCode), ...PROTOCOL_ERROR_CODES]);

export function isClientVisibleCode(code: unknown): boolean {
  return (
    typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR && CLIENT_VISIBLE_CODES.has(code)
  );
}

export interface AppErrorExtras {
  /** Dotted path of the offending input field, e.g. `input.email`. */
  field?: string;
  /** Seconds until a retry can succeed. */
  retryAfter?: number;
  /** HTTP status for the whole response, when the error decides it (e.g. 429). */
  httpStatus?: number;
}

/** An error a client is meant to see: a catalog code, a human message, and optional field/retry hints. */
export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extras: AppErrorExtras = {},
  ) {
    const headers = new Map<string, string>();
    if (extras.retryAfter !== undefined) headers.set('retry-after', String(extras.retryAfter));
    super(message, {
      extensions: {
        code,
        ...(extras.field !== undefined && { field: extras.field }),
        ...(extras.retryAfter !== undefined && { retryAfter: extras.retryAfter }),
        ...(extras.httpStatus !== undefined && { http: { status: extras.httpStatus, headers } }),
      },
    });
    this.name = 'AppError';
  }
}

export const badInput = (field: string, message: string): AppError =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, { field });

export const unauthenticated = (message = 'You must be signed in to do this.'): AppError =>
  new AppError(ErrorCode.UNAUTHENTICATED, message);

export const forbidden = (message = 'You are not allowed to do this.'): AppError =>
  new AppError(ErrorCode.FORBIDDEN, message);

/** `field` names the input field whose id points at nothing the caller may see (A2). */
export const notFound = (what: string, field?: string): AppError =>
  new AppError(ErrorCode.NOT_FOUND, `${what} not found.`, field === undefined ? {} : { field });

export const conflict = (message: string, field?: string): AppError =>
  new AppError(ErrorCode.CONFLICT, message, field === undefined ? {} : { field });

export const tooManyRequests = (retryAfter: number): AppError =>
  new AppError(ErrorCode.TOO_MANY_REQUESTS, `Too many requests. Try again in ${retryAfter} seconds.`, {
    retryAfter,
    httpStatus: 429,
  });

export const serviceUnavailable = (): AppError =>
  new AppError(
    ErrorCode.SERVICE_UNAVAILABLE,
    'The service is temporarily unavailable. Please retry shortly.',
    {
      httpStatus: 503,
    },
  );
