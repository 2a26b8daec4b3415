import cors from 'cors';
import type { RequestHandler } from 'express';
import type { Config } from '../config.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a browser page served from `origin` may call the API with credentials (C1). */
export function originAllowed(config: Config['cors'], origin: string): boolean {
  if (config.origins.includes(origin)) return true;
  if (!config.allowLoopback) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/**
 * CORS for /graphql. Without it a browser's preflight reached Apollo, whose CSRF prevention runs before
 * anything else: an OPTIONS request carries neither a JSON content type nor `apollo-require-preflight`, so
 * it was refused with 400 and no SPA on another origin could call the API at all. Preflights are now
 * answered here and never reach Apollo; the real request that follows still passes its CSRF check.
 *
 * A listed origin gets its own origin back (never `*`, which browsers refuse together with credentials)
 * and `Access-Control-Allow-Credentials`, so the refresh cookie can travel. An unlisted origin gets no
 * `Access-Control-*` header, and its preflight a bare 204: the browser then refuses the call itself.
 * Every answer varies by Origin, so no shared cache hands one origin's answer to another.
 */
export function corsMiddleware(config: Config['cors']): RequestHandler[] {
  const allowed = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && originAllowed(config, origin)),
    credentials: true,
    methods: ['GET', 'POST'],
    // What Apollo's CSRF prevention asks a browser to send (a JSON content type or
    // apollo-require-preflight), the Bearer token, and the operation name Apollo's clients add.
    allowedHeaders: ['content-type', 'authorization', 'apollo-require-preflight', 'x-apollo-operation-name'],
    maxAge: config.maxAgeSeconds,
  });
  return [
    (_req, res, next) => {
      res.vary('Origin');
      next();
    },
    allowed,
    (req, res, next) => {
      if (req.method === 'OPTIONS') {
        res.status(204).set('content-length', '0').end();
        return;
      }
      next();
    },
  ];
}
