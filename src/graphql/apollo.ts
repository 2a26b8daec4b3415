import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import { authGuardPlugin, singleAuthFieldRule } from './auth-guard.js';
import { errorLoggingPlugin, maskError } from './error-masking.js';
import { operationRecordPlugin } from './operation-record.js';
import { persistedQueryCache, trustedDocumentsPlugin } from './persisted.js';
import { SANDBOX_INITIAL_STATE } from './sandbox.js';
import { costOperationRule, recordCost, usagePlugin } from './usage.js';

/** G5 limits. Introspection (Apollo Sandbox) is exempt from depth and cost, not from tokens. */
export const QUERY_LIMITS = { depth: 8, aliases: 15, tokens: 2000, cost: 5000 } as const;

/**
 * HTTP serves queries and mutations only; subscriptions run over WebSocket (src/graphql/websocket.ts).
 * Apollo would otherwise fail a subscription sent over HTTP as an internal error (HTTP 500), and over GET
 * answer 405 as if another method could do it. Refused here as a validation error instead, HTTP 400
 * GRAPHQL_VALIDATION_FAILED for POST and GET alike.
 */
export const noSubscriptionRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    if (operation.operation !== 'subscription') return;
    context.reportError(
      new GraphQLError(
        'Subscriptions are not supported over HTTP: open a WebSocket to /graphql (graphql-ws protocol).',
        {
          nodes: operation,
        },
      ),
    );
  },
});

/** G5 limits as graphql-armor enforces them (depth, aliases, cost, directives). */
export function armorProtection() {
  return new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.depth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: QUERY_LIMITS.aliases },
    // Counted by graphql-js's parser instead (parseOptions below): armor's Apollo token plugin throws from
    // parsingDidStart, which Apollo answers as HTTP 500, and its unexpectedErrorProcessingRequest hook re-throws
    // any unexpected error unmasked as GRAPHQL_VALIDATION_FAILED.
    maxTokens: { enabled: false },
    costLimit: { maxCost: QUERY_LIMITS.cost, ignoreIntrospection: true, onAccept: [recordCost] },
    maxDirectives: { n: 20 },
    // Apollo's own hideSchemaDetailsFromClientErrors covers suggestions (G2).
    blockFieldSuggestion: { enabled: false },
  }).protect();
}

/** The validation every operation gets, over HTTP and over WebSocket alike (L5, G5). */
export function operationRules(armor = armorProtection()): ValidationRule[] {
  return [singleAuthFieldRule, costOperationRule, ...armor.validationRules];
}

export function createApollo(
  schema: GraphQLSchema,
  config: Config,
  httpServer: Server,
  trusted: ReadonlyMap<string, string>,
  extraPlugins: ApolloServerPlugin<Context>[] = [],
): ApolloServer<Context> {
  const armor = armorProtection();
  const apq = persistedQueryCache(config.redisUrl, config.redisKeyPrefix);

  return new ApolloServer<Context>({
    schema,
    // Automatic persisted queries, shared by the replicas through Redis; a day after the last use.
    persistedQueries: { cache: apq.cache, ttl: 86_400 },
    introspection: config.graphql.introspection,
    hideSchemaDetailsFromClientErrors: config.graphql.hideSchemaDetails,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // G5 token limit: one over fails parsing with GRAPHQL_PARSE_FAILED (HTTP 400).
    parseOptions: { maxLexicalTokens: QUERY_LIMITS.tokens },
    csrfPrevention: true,
    // We stop Apollo ourselves, after draining HTTP, on SIGTERM/SIGINT.
    stopOnTerminationSignals: false,
    formatError: maskError,
    validationRules: [noSubscriptionRule, ...operationRules(armor)],
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 10_000 }),
      trustedDocumentsPlugin(trusted),
      { serverWillStart: async () => ({ serverWillStop: apq.close }) },
      ApolloServerPluginCacheControlDisabled(),
      config.graphql.introspection
        ? ApolloServerPluginLandingPageLocalDefault({
            embed: true,
            includeCookies: false,
            ...SANDBOX_INITIAL_STATE,
          })
        : ApolloServerPluginLandingPageDisabled(),
      // armor's typings come from Apollo's CommonJS build; the runtime objects are the same.
      ...(armor.plugins as unknown as ApolloServerPlugin<Context>[]),
      authGuardPlugin,
      errorLoggingPlugin,
      operationRecordPlugin,
      usagePlugin(QUERY_LIMITS.cost),
      ...extraPlugins,
    ],
  });
}
