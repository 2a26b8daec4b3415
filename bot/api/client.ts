import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ClientError, GraphQLClient, type RequestMiddleware } from 'graphql-request';

/** An API failure the bot can explain: the API's error code, or NETWORK when it could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface CallOptions {
  /** The user's access token. */
  token?: string;
  /** Send the bot credential (bot-only operations). */
  asBot?: boolean;
  /** Correlates the bot's log line with the API's. */
  requestId?: string;
}

const TIMEOUT_MS = 10_000;

/**
 * The API, through the typed operations generated from bot/api/operations. Nothing else reaches it.
 *
 * The bot is a registered client of the API (trusted documents): codegen lists its operations by SHA-256
 * (bot/api/generated/persisted-documents.json) and the API loads that list. So the bot always sends an
 * operation's hash instead of its text, which is also what an API with PERSISTED_ONLY=true requires. An
 * API that does not know a hash (PERSISTED_QUERY_NOT_FOUND: an older deployment) gets the text instead.
 */
export class ApiClient {
  private readonly byHash: GraphQLClient;
  private readonly byText: GraphQLClient;
  /** Operation name -> SHA-256 (hex) of its registered text; names are unique in bot/api/operations. */
  private readonly hashes = new Map<string, string>();

  constructor(
    url: string,
    private readonly botSecret: string,
  ) {
    this.byHash = new GraphQLClient(url, { requestMiddleware: this.sendHash });
    this.byText = new GraphQLClient(url);
  }

  private readonly sendHash: RequestMiddleware = (request) => {
    const hash = request.operationName === undefined ? undefined : this.hashes.get(request.operationName);
    if (hash === undefined || typeof request.body !== 'string') return request;
    const { query: _text, ...body } = JSON.parse(request.body) as Record<string, unknown>;
    return {
      ...request,
      body: JSON.stringify({ ...body, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    };
  };

  async call<R, V extends Record<string, unknown>>(
    document: TypedDocumentNode<R, V>,
    variables: V,
    options: CallOptions = {},
  ): Promise<R> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.asBot === true) headers['x-bot-key'] = this.botSecret;
    if (options.requestId !== undefined) headers['x-request-id'] = options.requestId;
    const send = (client: GraphQLClient) =>
      client.request<R, V>({
        document,
        variables,
        requestHeaders: headers,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      } as never);
    const persisted = registeredHash(document);
    try {
      if (persisted === undefined) return await send(this.byText);
      this.hashes.set(persisted.name, persisted.hash);
      try {
        return await send(this.byHash);
      } catch (error) {
        if (toApiError(error).code !== 'PERSISTED_QUERY_NOT_FOUND') throw error;
        return await send(this.byText);
      }
    } catch (error) {
      throw toApiError(error);
    }
  }
}

/** The operation's name and the hash codegen gave it (`__meta__.hash`, "sha256:<hex>"). */
function registeredHash(
  document: TypedDocumentNode<unknown, never>,
): { name: string; hash: string } | undefined {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  const operation = document.definitions[0];
  if (hash === undefined || operation?.kind !== 'OperationDefinition' || operation.name === undefined)
    return undefined;
  return { name: operation.name.value, hash: hash.replace(/^sha256:/, '') };
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ClientError) {
    const first = error.response.errors?.[0];
    const code =
      typeof first?.extensions?.code === 'string' ? first.extensions.code : `HTTP_${error.response.status}`;
    const field = typeof first?.extensions?.field === 'string' ? first.extensions.field : undefined;
    return new ApiError(code, first?.message ?? 'The API refused the request.', field);
  }
  return new ApiError('NETWORK', error instanceof Error ? error.message : String(error));
}
