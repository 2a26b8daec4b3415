import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { originAllowed } from '../../src/http/cors.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const LISTED = 'https://app.example.test';
const ALSO_LISTED = 'http://localhost:5173';
const UNLISTED = 'https://evil.example.test';
const SECRET = 'x'.repeat(48);

const preflight = (app: TestApp, origin: string) =>
  fetch(`${app.url}/graphql`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,authorization,apollo-require-preflight',
    },
  });

const post = (app: TestApp, origin: string) =>
  fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ health }' }),
  });

const varyOf = (response: Response) =>
  (response.headers.get('vary') ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);

describe('CORS (SECURITY.md C1)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ CORS_ORIGINS: `${LISTED}, ${ALSO_LISTED}` });
  });
  afterAll(() => app.stop());

  it('a preflight from a listed origin succeeds, with credentials, the CSRF headers and a cache time', async () => {
    const response = await preflight(app, LISTED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    const allowedHeaders = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const header of ['content-type', 'authorization', 'apollo-require-preflight']) {
      expect(allowedHeaders).toContain(header);
    }
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(varyOf(response)).toContain('origin');
  });

  it('a request from a listed origin gets its own origin back and credentials, never *', async () => {
    for (const origin of [LISTED, ALSO_LISTED]) {
      const response = await post(app, origin);
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(varyOf(response)).toContain('origin');
    }
  });

  it('an unlisted origin gets no Access-Control-* header at all, on the preflight or the request', async () => {
    for (const origin of [UNLISTED, `${LISTED}.evil.test`, 'null', 'http://localhost:3000']) {
      const options = await preflight(app, origin);
      expect(options.status).toBe(204);
      const answer = await post(app, origin);
      for (const response of [options, answer]) {
        const corsHeaders = [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
        expect(corsHeaders, origin).toEqual([]);
        expect(varyOf(response)).toContain('origin');
      }
    }
  });
});

describe('CORS_ORIGINS config', () => {
  it('is empty in production and test unless set; development allows loopback origins on any port', () => {
    const production = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET }).cors;
    expect(production.origins).toEqual([]);
    expect(originAllowed(production, 'http://localhost:5173')).toBe(false);
    expect(originAllowed(loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET }).cors, LISTED)).toBe(false);

    const development = loadConfig({ NODE_ENV: 'development', JWT_SECRET: SECRET }).cors;
    expect(originAllowed(development, 'http://localhost:5173')).toBe(true);
    expect(originAllowed(development, 'http://127.0.0.1:8080')).toBe(true);
    expect(originAllowed(development, 'http://[::1]:3000')).toBe(true);
    expect(originAllowed(development, 'http://localhost.evil.test')).toBe(false);
    expect(originAllowed(development, UNLISTED)).toBe(false);

    const listed = loadConfig({ NODE_ENV: 'development', JWT_SECRET: SECRET, CORS_ORIGINS: LISTED }).cors;
    expect(originAllowed(listed, LISTED)).toBe(true);
    expect(originAllowed(listed, 'http://localhost:5173')).toBe(false);
  });

  it('refuses anything but exact origins, naming the variable', () => {
    for (const bad of [
      '*',
      'https://app.example.test/',
      'https://app.example.test/path',
      'app.example.test',
      'ftp://x.test',
    ]) {
      expect(
        () => loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, CORS_ORIGINS: bad }),
        bad,
      ).toThrow(ConfigError);
      expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, CORS_ORIGINS: bad })).toThrow(
        /CORS_ORIGINS/,
      );
    }
  });
});
