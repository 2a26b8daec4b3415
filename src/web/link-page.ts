import { readFileSync } from 'node:fs';
import { Router, type Response } from 'express';

const asset = (name: string) => readFileSync(new URL(`./link/${name}`, import.meta.url), 'utf8');

/** Everything the page needs comes from this server: no CDN, no inline script, no framing. */
export const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** The account-link page (GET /link#code=...) and its two assets. */
export function linkPageRoutes(): Router {
  const files = {
    html: asset('index.html'),
    js: asset('link.js'),
    css: asset('link.css'),
  };
  const send = (res: Response, type: string, body: string) => res.set(SECURITY_HEADERS).type(type).send(body);
  const router = Router();
  router.get('/link', (_req, res) => send(res, 'html', files.html));
  router.get('/link/link.js', (_req, res) => send(res, 'text/javascript', files.js));
  router.get('/link/link.css', (_req, res) => send(res, 'text/css', files.css));
  router.get('/favicon.ico', (_req, res) => res.status(204).end());
  return router;
}
