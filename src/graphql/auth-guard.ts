import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLObjectType, type ValidationRule } from 'graphql';
import type { Context } from '../context.js';
import type { Caller } from '../modules/auth/caller.js';
import { TokenScope } from '../modules/pat/pat.entity.js';
import { AppError, ErrorCode, serviceUnavailable } from '../shared/errors.js';
import { isDatabaseUnavailable } from './error-masking.js';
import type { AccessExtensions } from './access.js';
import { collectRootFields } from './root-fields.js';

const extensionsOf = (type: GraphQLObjectType | null | undefined, field: string): AccessExtensions =>
  (type?.getFields()[field]?.extensions ?? {}) as AccessExtensions;

/**
 * Deny by default (A1, T1): before anything executes, every root field the operation selects must be
 * public, or the caller must hold what the field needs: a valid user access token (the default), or
 * the bot credential for bot-only fields. A personal access token also needs the scope of the operation
 * and is refused on the fields marked NotForAccessTokens (K1). Checked once per operation; a refusal is a
 * request error with an HTTP status that says so.
 */
export const authGuardPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, document, schema, contextValue }) {
        if (operation === undefined) return;
        const rootType = schema.getRootType(operation.operation);
        const fields = collectRootFields(document, operation)
          .filter((field) => !field.name.value.startsWith('__'))
          .map((field) => extensionsOf(rootType, field.name.value));
        if (contextValue.presentsAccessToken && fields.some((field) => field.noAccessTokens === true)) {
          throw new AppError(
            ErrorCode.FORBIDDEN,
            'Personal access tokens cannot be used for this operation; sign in as the user instead.',
            { httpStatus: 403 },
          );
        }
        const needs = new Set(fields.map((field) => field.access ?? 'user'));
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
        // A personal access token is checked even on public fields: its scopes hold for the whole operation.
        if (!needs.has('user') && !contextValue.presentsAccessToken) return;
        let caller: Caller;
        try {
          caller = await contextValue.principal();
        } catch (error) {
          if (error instanceof AppError && error.code === ErrorCode.UNAUTHENTICATED) {
            throw new AppError(error.code, error.message, { httpStatus: 401 });
          }
          // The session is checked in PostgreSQL: an outage there is a 503 like anywhere else.
          if (isDatabaseUnavailable(error)) throw serviceUnavailable();
          throw error;
        }
        // K1: every root field of a mutation needs WRITE, of a query READ; the token's owner's role in
        // its family is checked afterwards like anyone's.
        const scope = operation.operation === 'mutation' ? TokenScope.WRITE : TokenScope.READ;
        if (caller.token !== undefined && fields.length > 0 && !caller.token.scopes.includes(scope)) {
          throw new AppError(ErrorCode.FORBIDDEN, `This access token lacks the ${scope} scope.`, {
            httpStatus: 403,
          });
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
