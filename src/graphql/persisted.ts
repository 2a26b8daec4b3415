import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ApolloServerPlugin } from '@apollo/server';
import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import type { NextFunction, Request, Response } from 'express';
import { ConfigError } from '../config.js';
import type { Context } from '../context.js';

/**
 * The operations of registered clients, by the SHA-256 of their text (hex), from the persisted-documents
 * manifests GraphQL Code Generator writes (`{ "sha256:<hex>": "<document>" }`). Checked on load: a
 * manifest whose text does not hash to its key would fail every request that uses it.
 */
export function loadTrustedDocuments(paths: readonly string[]): Map<string, string> {
  const documents = new Map<string, string>();
  for (const path of paths) {
    let manifest: Record<string, string>;
    try {
      manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    } catch (error) {
      throw new ConfigError(
        `Invalid configuration: TRUSTED_DOCUMENTS: cannot read ${path} (${String(error)})`,
      );
    }
    for (const [key, text] of Object.entries(manifest)) {
      const hash = key.replace(/^sha256:/, '');
      if (createHash('sha256').update(text).digest('hex') !== hash) {
        throw new ConfigError(
          `Invalid configuration: TRUSTED_DOCUMENTS: ${path}: ${key} is not the SHA-256 of its text`,
        );
      }
      documents.set(hash, text);
    }
  }
  return documents;
}

/**
 * Where automatic persisted queries are remembered: in Redis when there is one, so a hash registered
 * through one replica is known to all; otherwise Apollo's in-process cache (the embedded start).
 */
export function persistedQueryCache(redisUrl: string | undefined, prefix: string) {
  if (redisUrl === undefined) return { cache: undefined, close: async () => {} };
  const keyv = new Keyv<string>({
    store: new KeyvRedis(redisUrl, { namespace: `${prefix}apq` }),
    namespace: `${prefix}apq`,
    useKeyPrefix: false,
  });
  // A lost connection shows as failed lookups (the client then sends the text again), not as a crash.
  keyv.on('error', () => {});
  // The same keyv at run time; its typings differ only in being read as CommonJS by the adapter.
  const adapter = new KeyvAdapter<string>(
    keyv as unknown as ConstructorParameters<typeof KeyvAdapter<string>>[0],
  );
  return { cache: adapter, close: () => keyv.disconnect() };
}

/**
 * A registered client may send only the hash of an operation; its text is filled in here, before Apollo
 * reads the request, so Apollo's own check (the hash matches the text) still runs.
 */
export function trustedDocumentsPlugin(documents: ReadonlyMap<string, string>): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      const registered = documents.get(hashOf(request.extensions) ?? '');
      if (registered !== undefined && request.query === undefined) request.query = registered;
    },
  };
}

/**
 * Trusted documents (PERSISTED_ONLY=true): in front of Apollo, so that anything but a registered
 * operation is refused before it is parsed: ad-hoc queries, and hashes of operations nobody registered,
 * even ones Apollo's automatic persisted queries would remember. The text, when sent, must be the
 * registered one.
 */
export function persistedOnlyGate(documents: ReadonlyMap<string, string>) {
  return (req: Request, res: Response, next: NextFunction) => {
    const params = (req.method === 'GET' ? req.query : req.body) as Record<string, unknown> | undefined;
    let extensions = params?.extensions;
    if (typeof extensions === 'string') {
      try {
        extensions = JSON.parse(extensions) as unknown;
      } catch {
        extensions = undefined;
      }
    }
    const registered = documents.get(hashOf(extensions) ?? '');
    const query = params?.query;
    if (registered !== undefined && (query === undefined || query === registered)) {
      next();
      return;
    }
    res.status(400).json({
      errors: [
        {
          message:
            'This server runs only registered operations: send the SHA-256 of a registered document in extensions.persistedQuery.sha256Hash.',
          extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' },
        },
      ],
    });
  };
}

function hashOf(extensions: unknown): string | undefined {
  const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery
    ?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}
