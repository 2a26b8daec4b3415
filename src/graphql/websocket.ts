import { NO_REFRESH_COOKIE } from '../modules/auth/refresh-cookie.js';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createContext } from '../context.js';
import type { Deps } from '../deps.js';
import {
  ConnectionRefused,
  type LiveConnection,
  type LiveConnections,
} from '../modules/live/live-connections.js';
import { ErrorCode, isClientVisibleCode } from '../shared/errors.js';
import { QUERY_LIMITS, operationRules } from './apollo.js';
import { loggable, maskError } from './error-masking.js';

/** What a client may send in connection_init (and, to renew, in a ping). */
interface LiveParams {
  /** The access token, as returned by login / refreshToken. */
  accessToken?: unknown;
  /** Or the same as an Authorization header value: "Bearer <token>". */
  authorization?: unknown;
}

function tokenOf(params: unknown): unknown {
  if (params === null || typeof params !== 'object') return undefined;
  const { accessToken, authorization } = params as LiveParams;
  if (accessToken !== undefined) return accessToken;
  if (typeof authorization === 'string') return /^Bearer (\S+)$/.exec(authorization.trim())?.[1];
  return undefined;
}

export interface LiveServer {
  /** Drains with Apollo: closes every socket, then the WebSocket server. */
  plugin: ApolloServerPlugin;
}

/**
 * GraphQL subscriptions over WebSocket with the graphql-ws protocol, on the HTTP server's `/graphql`, as
 * Apollo Server's documentation wires it: a `ws` server beside Apollo, graphql-ws's `useServer`, and a
 * plugin that drains it when Apollo stops.
 *
 * - connection_init carries the access token (`{ accessToken }` or `{ authorization: "Bearer ..." }`),
 *   checked as an HTTP request's (LiveConnections.open); without a valid one the socket closes (4403).
 * - A ping whose payload carries `{ accessToken }` renews it; otherwise the socket closes when the token
 *   expires (4403) and the client reconnects with a fresh one.
 * - Only subscriptions: queries and mutations stay on HTTP, with its rate limits and logs.
 * - Every operation is validated like an HTTP one (depth, aliases, tokens, cost: G5), and errors are
 *   masked the same way (G3).
 * - Limits: `maxPayload` per message (larger closes with 1009), subscriptions per socket, sockets per
 *   user, and a ping every keepAliveMs that drops a peer which stopped answering.
 */
export function createLiveServer(
  httpServer: Server,
  schema: GraphQLSchema,
  deps: Deps,
  connections: LiveConnections,
): LiveServer {
  const { live: limits } = deps.config;
  const hide = deps.config.graphql.hideSchemaDetails;
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: limits.maxMessageBytes,
  });
  const rules = [...specifiedRules, ...operationRules()];
  const refuse = (message: string, code: string = ErrorCode.BAD_USER_INPUT) => [
    new GraphQLError(message, { extensions: { code } }),
  ];

  const cleanup = useServer<Record<string, unknown> | undefined, { live: LiveConnection }>(
    {
      schema,
      async onConnect(ctx) {
        try {
          ctx.extra.live = await connections.open(ctx.extra.socket, tokenOf(ctx.connectionParams));
          return true;
        } catch (error) {
          if (!(error instanceof ConnectionRefused)) throw error;
          ctx.extra.socket.close(error.code, error.reason);
          return false;
        }
      },
      async onPing(ctx, payload) {
        const token = tokenOf(payload);
        if (token !== undefined) await ctx.extra.live?.renew(token);
      },
      onSubscribe(ctx, _id, payload) {
        const live = ctx.extra.live!;
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: QUERY_LIMITS.tokens });
        } catch (error) {
          return [
            coded(
              error instanceof GraphQLError ? error : new GraphQLError('Syntax error.'),
              'GRAPHQL_PARSE_FAILED',
              hide,
            ),
          ];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) return errors.map((error) => coded(error, 'GRAPHQL_VALIDATION_FAILED', hide));
        const operation = getOperationAST(document, payload.operationName);
        if (operation == null) return refuse('Name the operation to run.');
        if (operation.operation !== 'subscription') {
          return refuse(
            'Over WebSocket this API runs subscriptions only; send queries and mutations over HTTP.',
          );
        }
        if (live.subscriptions >= limits.maxSubscriptionsPerConnection) {
          return refuse(
            `At most ${limits.maxSubscriptionsPerConnection} subscriptions per connection.`,
            ErrorCode.TOO_MANY_REQUESTS,
          );
        }
        live.subscriptions++;
        const request = ctx.extra.request;
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: createContext(deps, {
            record: { requestId: randomUUID() },
            meta: { ip: request.socket.remoteAddress ?? 'unknown', userAgent: request.headers['user-agent'] },
            authorization: undefined,
            botKey: undefined,
            // The socket never reads cookies: a cross-site page cannot ride a browser's session on it.
            refreshCookie: NO_REFRESH_COOKIE,
            live,
          }),
        };
      },
      onNext(_ctx, _id, _payload, _args, result) {
        if (result.errors === undefined) return;
        // graphql-js refusing the variables, before anything ran: the client's input, as Apollo reports it.
        const errors = result.errors.map((error) =>
          error.path === undefined && /^Variable "\$/.test(error.message)
            ? coded(error, ErrorCode.BAD_USER_INPUT, hide)
            : error,
        );
        return { ...result, errors: errors.map((error) => masked(error, deps)) };
      },
      onError(_ctx, _id, _payload, errors) {
        return errors.map((error) => masked(error, deps));
      },
      onComplete(ctx) {
        const live = ctx.extra.live;
        if (live !== undefined) live.subscriptions = Math.max(0, live.subscriptions - 1);
      },
      onClose(ctx) {
        ctx.extra.live?.closedByPeer();
      },
    },
    wsServer,
    limits.keepAliveMs,
  );

  return {
    plugin: {
      async serverWillStart() {
        return {
          async drainServer() {
            connections.closeAll(1001, 'Server shutting down');
            await cleanup.dispose();
          },
        };
      },
    },
  };
}

/**
 * The code Apollo gives an error of parsing, validation (whatever code a rule set) or the variables, so
 * maskError lets it through; in production without "Did you mean" hints (G2), as Apollo does over HTTP.
 */
function coded(error: GraphQLError, code: string, hideSchemaDetails: boolean): GraphQLError {
  const message = hideSchemaDetails ? error.message.replace(/ ?Did you mean(.+?)\?$/, '') : error.message;
  return new GraphQLError(message, { nodes: error.nodes, extensions: { ...error.extensions, code } });
}

function masked(error: GraphQLError, deps: Deps): GraphQLFormattedError {
  const formatted = maskError(error.toJSON(), error);
  if (!isClientVisibleCode(formatted.extensions?.code)) {
    deps.logger.error(
      { err: loggable(error.originalError ?? error), path: error.path },
      'unexpected subscription error',
    );
  }
  return formatted;
}
