import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD, startTestApp, type TestApp } from '../helpers/app.js';
import { registerUser } from '../helpers/auth.js';
import { launchBrowser, newTestContext } from '../helpers/browser.js';

/**
 * An SPA on another origin of the same site (localhost, another port) in Debian's headless Chromium: CORS
 * lets it call the API with credentials, the refresh cookie is out of its scripts' reach, and a page on
 * an unlisted origin is refused by the browser itself (SECURITY.md C1, C2).
 */

const BROWSER_TIMEOUT = 60_000;

/** Serves one empty HTML page: the origin the SPA runs on. */
async function pageServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>SPA</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Runs one GraphQL request from inside the page, as an SPA's fetch would, cookies included. */
function callFromPage(page: Page, api: string, query: string, variables: Record<string, unknown> = {}) {
  return page.evaluate(
    async ({ api, query, variables }) => {
      try {
        const response = await fetch(`${api}/graphql`, {
          method: 'POST',
          credentials: 'include',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables }),
        });
        return { ok: true as const, body: (await response.json()) as Record<string, unknown> };
      } catch (error) {
        return { ok: false as const, error: String(error) };
      }
    },
    { api, query, variables },
  );
}

describe('an SPA on another origin, in Chromium (SECURITY.md C1, C2)', () => {
  let app: TestApp;
  let browser: Browser;
  let spa: { server: Server; port: number };
  let api: string;

  beforeAll(async () => {
    spa = await pageServer();
    app = await startTestApp({ CORS_ORIGINS: `http://localhost:${spa.port}` });
    api = app.url.replace('127.0.0.1', 'localhost');
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    spa?.server.close();
  }, 60_000);

  it(
    'signs in with the cookie, refreshes with it alone, and never lets page scripts see it',
    async () => {
      const { email } = await registerUser(app);
      const context = await newTestContext(browser);
      try {
        const page = await context.newPage();
        await page.goto(`http://localhost:${spa.port}/`);
        const login = await callFromPage(
          page,
          api,
          'mutation($input: LoginInput!) { login(input: $input, refreshTokenIn: COOKIE) { accessToken refreshToken } }',
          { input: { email, password: STRONG_PASSWORD } },
        );
        expect(login).toMatchObject({ ok: true, body: { data: { login: { refreshToken: null } } } });

        const [cookie] = (await context.cookies(`${api}/graphql`)).filter((c) => c.name === 'ff_refresh');
        expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/graphql' });
        expect(await page.evaluate('document.cookie')).toBe('');

        const refreshed = await callFromPage(
          page,
          api,
          'mutation { refreshToken { accessToken refreshToken } }',
        );
        expect(refreshed).toMatchObject({
          ok: true,
          body: {
            data: { refreshToken: { accessToken: expect.stringMatching(/^eyJ/), refreshToken: null } },
          },
        });
        const [rotated] = (await context.cookies(`${api}/graphql`)).filter((c) => c.name === 'ff_refresh');
        expect(rotated!.value).not.toBe(cookie!.value);
      } finally {
        await context.close();
      }
    },
    BROWSER_TIMEOUT,
  );

  it(
    'a page on an unlisted origin cannot read an answer',
    async () => {
      const context = await newTestContext(browser);
      try {
        const page = await context.newPage();
        // The same server, reached by another name: another origin, and not listed.
        await page.goto(`http://127.0.0.1:${spa.port}/`);
        const answer = await callFromPage(page, api, '{ health }');
        expect(answer.ok).toBe(false);
      } finally {
        await context.close();
      }
    },
    BROWSER_TIMEOUT,
  );
});
