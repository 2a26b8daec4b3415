import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLObjectType, type ValidationRule } from 'graphql';
import type { Context } from '../context.js';
import { AppError, ErrorCode } from '../shared/errors.js';
import type { AccessExtensions } from './access.js';
import { collectRootFields } from './root-fields.js';

const extensionsOf = (type: GraphQLObjectType | null | undefined, field: string): AccessExtensions =>
  (type?.getFields()[field]?.extensions ?? {}) as AccessExtensions;

/**
 * Deny by default (A1): before anything executes, every root field the operation selects must be
 * marked public, or the caller must hold a valid access token. Checked once per operation.
 */
export const authGuardPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, document, schema, contextValue }) {
        if (operation === undefined) return;
        const rootType = schema.getRootType(operation.operation);
        const needsUser = collectRootFields(document, operation).some((field) => {
          const name = field.name.value;
          return !name.startsWith('__') && extensionsOf(rootType, name).access !== 'public';
        });
        if (!needsUser) return;
        try {
          await contextValue.principal();
        } catch (error) {
          // Refused before execution: a request error, so an HTTP status that says so.
          if (error instanceof AppError && error.code === ErrorCode.UNAUTHENTICATED) {
            throw new AppError(error.code, error.message, { httpStatus: 401 });
          }
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
