import { readFileSync } from 'node:fs';
import { Router, type Response } from 'express';
import { SECURITY_HEADERS } from './link-page.js';

const read = (file: string) => readFileSync(new URL(file, import.meta.url), 'utf8');

/**
 * The pages the account mails link to: GET /reset#token=... (choose a new password; without a token it
 * asks for the mail) and GET /verify#token=... (confirm the address). Static files calling /graphql, under
 * the same strict headers as /link; they share its stylesheet.
 */
export function accountPageRoutes(): Router {
  const files: Record<string, { type: string; body: string }> = {
    '/reset': { type: 'html', body: read('./account/reset.html') },
    '/verify': { type: 'html', body: read('./account/verify.html') },
    '/account/reset.js': { type: 'text/javascript', body: read('./account/reset.js') },
    '/account/verify.js': { type: 'text/javascript', body: read('./account/verify.js') },
    '/account/api.js': { type: 'text/javascript', body: read('./account/api.js') },
    '/account/page.css': { type: 'text/css', body: read('./link/link.css') },
  };
  const router = Router();
  for (const [path, file] of Object.entries(files)) {
    router.get(path, (_req, res: Response) => res.set(SECURITY_HEADERS).type(file.type).send(file.body));
  }
  return router;
}
