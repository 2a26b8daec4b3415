import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLObjectType, type ValidationRule } from 'graphql';
import type { Context } from '../context.js';
import { AppError, ErrorCode, serviceUnavailable } from '../shared/errors.js';
import { isDatabaseUnavailable } from './error-masking.js';
import type { AccessExtensions } from './access.js';
import { collectRootFields } from './root-fields.js';

const extensionsOf = (type: GraphQLObjectType | null | undefined, field: string): AccessExtensions =>
  (type?.getFields()[field]?.extensions ?? {}) as AccessExtensions;

/**
 * Deny by default (A1, T1): before anything executes, every root field the operation selects must be
 * public, or the caller must hold what the field needs: a valid user access token (the default), or
 * the bot credential for bot-only fields. Checked once per operation; a refusal is a request error
 * with an HTTP status that says so.
 */
export const authGuardPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, document, schema, contextValue }) {
        if (operation === undefined) return;
        const rootType = schema.getRootType(operation.operation);
        const needs = new Set(
          collectRootFields(document, operation)
            .filter((field) => !field.name.value.startsWith('__'))
            .map((field) => extensionsOf(rootType, field.name.value).access ?? 'user'),
        );
        if (needs.has('bot') && !contextValue.isBot) {
          const signedIn = await contextValue.principal().then(
            () => true,
            () => false,
          );
          throw signedIn
            ? new AppError(ErrorCode.FORBIDDEN, 'This operation is reserved for the Telegram bot.', {
                httpStatus: 403,
              })
            : new AppError(ErrorCode.UNAUTHENTICATED, 'This operation needs the bot credential.', {
                httpStatus: 401,
              });
        }
        if (!needs.has('user')) return;
        try {
          await contextValue.principal();
        } catch (error) {
          if (error instanceof AppError && error.code === ErrorCode.UNAUTHENTICATED) {
            throw new AppError(error.code, error.message, { httpStatus: 401 });
          }
          // The session is checked in PostgreSQL: an outage there is a 503 like anywhere else.
          if (isDatabaseUnavailable(error)) throw serviceUnavailable();
          throw error;
        }
      },
    };
  },
};

/**
 * L5: an operation may carry at most one credential-guessing root field, so aliases and fragments
 * cannot multiply password guesses past the rate limits.
 */
export const singleAuthFieldRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    const schema = context.getSchema();
    const rootType = schema.getRootType(operation.operation);
    const sensitive = collectRootFields(context.getDocument(), operation).filter(
      (field) => extensionsOf(rootType, field.name.value).authSensitive === true,
    );
    if (sensitive.length > 1) {
      context.reportError(
        new GraphQLError('An operation may contain at most one authentication field.', { nodes: sensitive }),
      );
    }
  },
});
