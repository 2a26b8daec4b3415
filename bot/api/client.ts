import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ClientError, GraphQLClient } from 'graphql-request';

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

/** The API, through the typed operations generated from bot/api/operations. Nothing else reaches it. */
export class ApiClient {
  private readonly client: GraphQLClient;

  constructor(
    url: string,
    private readonly botSecret: string,
  ) {
    this.client = new GraphQLClient(url);
  }

  async call<R, V extends Record<string, unknown>>(
    document: TypedDocumentNode<R, V>,
    variables: V,
    options: CallOptions = {},
  ): Promise<R> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.asBot === true) headers['x-bot-key'] = this.botSecret;
    if (options.requestId !== undefined) headers['x-request-id'] = options.requestId;
    try {
      return await this.client.request<R, V>({
        document,
        variables,
        requestHeaders: headers,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      } as never);
    } catch (error) {
      throw toApiError(error);
    }
  }
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
