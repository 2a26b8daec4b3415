// The reference web client's own static server: no build step, no bundler. It serves the page, its script
// and stylesheet, and graphql-ws's browser client straight from node_modules, under a strict CSP that lets
// the page talk to the API (HTTP and WebSocket) and nothing else.
//
//   API_URL=http://localhost:4000 WEB_PORT=5173 node examples/web/serve.mjs
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// graphql-ws's ESM build: client.js imports a shared chunk from its own folder, so the whole folder's
// top-level .js files are served under /vendor/graphql-ws/ and the relative import resolves by itself.
const vendorDir = path.dirname(fileURLToPath(import.meta.resolve('graphql-ws/client')));

const apiUrl = new URL(process.env.API_URL ?? 'http://localhost:4000').origin;
const port = Number(process.env.WEB_PORT ?? 5173);
const host = process.env.WEB_HOST ?? '127.0.0.1';

const escapeAttribute = (text) =>
  text.replace(/[&"<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' })[c]);

const page = readFileSync(path.join(here, 'index.html'), 'utf8').replace(
  '__API_URL__',
  escapeAttribute(apiUrl),
);
const files = new Map([
  ['/', { type: 'text/html; charset=utf-8', body: page }],
  ['/app.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(here, 'app.js')) }],
  ['/app.css', { type: 'text/css; charset=utf-8', body: readFileSync(path.join(here, 'app.css')) }],
]);

const headers = {
  'content-security-policy':
    `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; ` +
    `connect-src ${apiUrl} ${apiUrl.replace(/^http/, 'ws')}; ` +
    `base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

function vendorFile(pathname) {
  const name = pathname.slice('/vendor/graphql-ws/'.length);
  if (!/^[\w-]+\.js$/.test(name)) return undefined;
  try {
    return { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(vendorDir, name)) };
  } catch {
    return undefined;
  }
}

const server = createServer((req, res) => {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (pathname === '/favicon.ico') {
    res.writeHead(204, headers).end();
    return;
  }
  const file =
    req.method === 'GET' || req.method === 'HEAD'
      ? (files.get(pathname) ??
        (pathname.startsWith('/vendor/graphql-ws/') ? vendorFile(pathname) : undefined))
      : undefined;
  if (file === undefined) {
    res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': file.type });
  res.end(req.method === 'HEAD' ? undefined : file.body);
});

server.listen(port, host, () => {
  const { port: actual } = server.address();
  // localhost, not 127.0.0.1: the page and the API must be one site for the SameSite=Strict refresh cookie.
  console.log(`Web client: http://localhost:${actual}/ (API: ${apiUrl})`);
});

for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
