import type { ApolloServerPlugin } from '@apollo/server';
import { DriverException } from '@mikro-orm/core';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Context } from '../context.js';
import { ErrorCode, isClientVisibleCode, serviceUnavailable } from '../shared/errors.js';

/** Extension keys a client may see; everything else (stack traces, SQL, causes) is dropped. */
const VISIBLE_EXTENSIONS = ['code', 'field', 'retryAfter'] as const;

/** Connection-level failures (refused, reset, no route) and PostgreSQL's connection/shutdown SQLSTATEs. */
const UNREACHABLE_CODES =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|08...|57P0[123])$/;

/**
 * The database could not be reached (down, restarting, connection cut, pool timed out): the request may
 * succeed on retry, so it is reported as SERVICE_UNAVAILABLE rather than as an internal error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    (typeof code === 'string' && UNREACHABLE_CODES.test(code)) ||
    // The last one: the pool found no free connection within its connection timeout.
    /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect/i.test(
      error.message,
    )
  );
}

/**
 * G3: errors with a catalog code go out with their message and safe extensions only; anything else
 * becomes INTERNAL_SERVER_ERROR with a generic message (the original is logged by `errorLoggingPlugin`).
 */
export function maskError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (!isClientVisibleCode(code) && isDatabaseUnavailable(unwrapResolverError(error))) {
    return {
      message: serviceUnavailable().message,
      ...(formatted.path && { path: formatted.path }),
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
    };
  }
  if (!isClientVisibleCode(code)) {
    return {
      message: 'Internal server error.',
      ...(formatted.path && { path: formatted.path }),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  }
  const extensions: Record<string, unknown> = {};
  for (const key of VISIBLE_EXTENSIONS) {
    if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
  }
  if (code === ErrorCode.BAD_USER_INPUT && extensions.field === undefined) {
    const field = coercedField(formatted.message);
    if (field !== undefined) extensions.field = field;
  }
  return {
    message: formatted.message,
    ...(formatted.locations && { locations: formatted.locations }),
    ...(formatted.path && { path: formatted.path }),
    extensions,
  };
}

/**
 * A value that a scalar (a date, a currency, a decimal) refused while graphql-js coerced the variables:
 * its message says where, `Variable "$input" got invalid value ... at "input.occurredOn"`, and B1 wants
 * that place in `extensions.field`, like the services' own BAD_USER_INPUT.
 */
function coercedField(message: string): string | undefined {
  const match = /^Variable "\$([A-Za-z_]\w*)" got invalid value .*?(?: at "([\w.[\]]+)")?;/s.exec(message);
  if (match === null) return undefined;
  return match[2] ?? match[1];
}

/**
 * What the driver said, without the statement MikroORM puts in front ("<sql> - <message>") or the row
 * MikroORM appends after it ("\n - detail: ...").
 */
function driverMessage(message: string): string {
  const said = message.replace(/\n - (detail|hint): [\s\S]*$/, '');
  return said.slice(said.lastIndexOf(' - ') + 1).replace(/^- /, '');
}

/**
 * A database error's message embeds the failed SQL with its bound values (emails, password hashes). Log
 * what PostgreSQL said, its SQLSTATE and where, never the statement or the row (`detail`).
 */
export function loggable(error: unknown): unknown {
  const pgError = error as { severity?: unknown; code?: unknown; table?: unknown; constraint?: unknown };
  if (error instanceof DriverException) {
    return { type: error.name, message: driverMessage(error.message), sqlState: pgError.code };
  }
  if (error instanceof Error && typeof pgError.severity === 'string' && typeof pgError.code === 'string') {
    return {
      type: error.name,
      message: driverMessage(error.message),
      sqlState: pgError.code,
      table: pgError.table,
      constraint: pgError.constraint,
    };
  }
  return error;
}

/** Logs unexpected errors with the request id, and tags masked errors with it so support can find them. */
export const errorLoggingPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const error of errors) {
          const original = unwrapResolverError(error);
          const code =
            (original as { extensions?: { code?: unknown } }).extensions?.code ?? error.extensions.code;
          if (!isClientVisibleCode(code) && isDatabaseUnavailable(original)) {
            contextValue.logger.warn({ err: loggable(original), path: error.path }, 'database unavailable');
          } else if (!isClientVisibleCode(code)) {
            contextValue.logger.error({ err: loggable(original), path: error.path }, 'unexpected error');
          }
        }
      },
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        for (const error of response.body.singleResult.errors ?? []) {
          if (error.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR) {
            (error.extensions as Record<string, unknown>).requestId = contextValue.requestId;
          }
          // An unreachable database answers 503 like an unreachable Redis (maskError set the code).
          if (
            error.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE &&
            (response.http.status ?? 200) === 200
          ) {
            response.http.status = 503;
          }
        }
      },
    };
  },
};
