import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Context } from '../context.js';
import { ErrorCode, isClientVisibleCode } from '../shared/errors.js';

/** Extension keys a client may see; everything else (stack traces, SQL, causes) is dropped. */
const VISIBLE_EXTENSIONS = ['code', 'field', 'retryAfter'] as const;

/**
 * G3: errors with a catalog code go out with their message and safe extensions only; anything else
 * becomes INTERNAL_SERVER_ERROR with a generic message (the original is logged by `errorLoggingPlugin`).
 */
export function maskError(formatted: GraphQLFormattedError, _error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
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
  return {
    message: formatted.message,
    ...(formatted.locations && { locations: formatted.locations }),
    ...(formatted.path && { path: formatted.path }),
    extensions,
  };
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
          if (!isClientVisibleCode(code)) {
            contextValue.logger.error({ err: original, path: error.path }, 'unexpected error');
          }
        }
      },
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        for (const error of response.body.singleResult.errors ?? []) {
          if (error.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR) {
            (error.extensions as Record<string, unknown>).requestId = contextValue.requestId;
          }
        }
      },
    };
  },
};
