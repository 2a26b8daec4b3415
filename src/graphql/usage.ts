import type { ApolloServerPlugin } from '@apollo/server';
import type { OperationDefinitionNode, ValidationContext, ValidationRule } from 'graphql';
import type { Context } from '../context.js';

/**
 * The cost of each operation, as graphql-armor's cost limit computed it during validation. Apollo
 * validates a document once and then serves it from its document cache, so the cost is kept on the
 * operation's node, which the cache keeps too.
 */
const costs = new WeakMap<OperationDefinitionNode, number>();
const validating = new WeakMap<ValidationContext, OperationDefinitionNode>();

/**
 * Tells `recordCost` which operation armor is measuring: rules visit each node in their order, so
 * this must come before armor's rules.
 */
export const costOperationRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    validating.set(context, operation);
  },
});

/** armor's `onAccept` for the cost limit: `n` is the operation's cost. */
export const recordCost = (context: ValidationContext | null, details: { n: number }): void => {
  const operation = context === null ? undefined : validating.get(context);
  if (operation !== undefined) costs.set(operation, details.n);
};

/** What `extensions.cost` and `extensions.rateLimit` of a response hold (docs/integrators.md). */
export interface UsageExtensions {
  cost?: { requested: number; limit: number };
  rateLimit?: { limit: number; remaining: number; resetInSeconds: number };
}

/**
 * Every response that ran an operation says what it cost against the per-operation limit, and, when the
 * caller is counted per request (a personal access token), how many requests are left in the window.
 */
export function usagePlugin(costLimit: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, operation, contextValue }) {
          if (response.body.kind !== 'single') return;
          const cost = operation === undefined ? undefined : costs.get(operation);
          const rate = contextValue.usage.rateLimit;
          if (cost === undefined && rate === undefined) return;
          const usage: UsageExtensions = {
            ...(cost !== undefined && { cost: { requested: cost, limit: costLimit } }),
            ...(rate !== undefined && {
              rateLimit: { limit: rate.limit, remaining: rate.remaining, resetInSeconds: rate.resetSeconds },
            }),
          };
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, ...usage };
        },
      };
    },
  };
}
