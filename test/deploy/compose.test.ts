import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { envSchema as botEnvSchema, loadBotConfig } from '../../bot/config.js';
import { envSchema as apiEnvSchema, loadConfig } from '../../src/config.js';

/**
 * Docker is not available where the tests run, so the compose file is checked as data: the services, their
 * start order and healthchecks, and that every variable the code reads reaches the process that reads it.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMPOSE_TEXT = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const ENV_EXAMPLE = readFileSync(path.join(ROOT, '.env.example'), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  container_name?: string;
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
}

interface Compose {
  version?: unknown;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

// `merge: true`: `<<: *api-env` is resolved the way docker compose resolves it.
const compose = parse(COMPOSE_TEXT, { merge: true }) as Compose;
const service = (name: string): Service => {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};

/** A service's environment as compose hands it to the container: list or map form, values as text. */
function environmentOf(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

const dependsOn = (name: string): Record<string, string | undefined> => {
  const deps = service(name).depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition]));
};

const healthcheckText = (name: string): string => {
  const test = service(name).healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
};

const commandText = (name: string): string => {
  const command = service(name).command;
  return Array.isArray(command) ? command.join(' ') : (command ?? '');
};

/**
 * Compose's variable substitution (`${X}`, `${X:-default}`, `${X-default}`, `${X:?error}`, `${X?error}`,
 * `$$`), from a given .env. Throws like `docker compose` does when a required variable is missing.
 */
function interpolate(value: string, dotenv: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare)!;
      const set = Object.hasOwn(dotenv, name);
      const missing = colon === ':' ? !set || dotenv[name] === '' : !set;
      if (op === '-') return missing ? (arg ?? '') : dotenv[name]!;
      if (op === '?') {
        if (missing) throw new Error(`required variable ${name} is missing: ${arg}`);
        return dotenv[name]!;
      }
      return dotenv[name] ?? '';
    },
  );
}

const interpolatedEnvironment = (name: string, dotenv: Record<string, string>) =>
  Object.fromEntries(Object.entries(environmentOf(name)).map(([k, v]) => [k, interpolate(v, dotenv)]));

/** Every `${NAME...}` the compose file substitutes, with whether compose refuses to start without it. */
function composeVariables(): Map<string, { required: boolean }> {
  const found = new Map<string, { required: boolean }>();
  for (const match of COMPOSE_TEXT.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?/g)) {
    const required = match[2]?.endsWith('?') ?? false;
    found.set(match[1]!, { required: required || (found.get(match[1]!)?.required ?? false) });
  }
  return found;
}

const API_VARIABLES = Object.keys(apiEnvSchema.shape).sort();
const BOT_VARIABLES = Object.keys(botEnvSchema.shape).sort();

/**
 * API variables compose deliberately does not pass: each has a default that is right inside the container.
 */
const API_LEFT_TO_DEFAULTS = new Set([
  // The bot's manifest, which the image carries; other clients' manifests would need a volume first.
  'TRUSTED_DOCUMENTS',
  // Only used for the embedded database and the development JWT key; compose has PostgreSQL and JWT_SECRET.
  'DATA_DIR',
  // 10 connections per process: fine for one API container on the bundled PostgreSQL.
  'DATABASE_POOL_MAX',
  // `ff:`; the bot uses `bot:` on the same Redis (checked below), so their keys cannot collide.
  'REDIS_KEY_PREFIX',
  // Pinned claim values; only meaningful to change when several deployments share a key.
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  // 100kb request bodies.
  'BODY_LIMIT',
  // 10 WebSocket connections per user and API process.
  'LIVE_MAX_CONNECTIONS_PER_USER',
  // 2 connections of the job queue per process.
  'JOBS_POOL_MAX',
  // Read by the worker only (the worker service sets it).
  'WORKER_PORT',
]);

/** Bot variables compose deliberately does not pass. */
const BOT_LEFT_TO_DEFAULTS = new Set([
  // Points the bot at another Bot API server (the tests' fake one); production talks to Telegram.
  'TELEGRAM_API_ROOT',
  // Webhook listener address: only used with BOT_WEBHOOK_URL; 0.0.0.0:8443 inside the container.
  'BOT_HOST',
  'BOT_PORT',
  // Outbox delivery every 5 s.
  'NOTIFY_INTERVAL_MS',
]);

/** A complete .env, as the operator writes it. */
const DOTENV: Record<string, string> = {
  POSTGRES_PASSWORD: 'pg-password',
  JWT_SECRET: randomBytes(48).toString('base64url'),
  BOT_API_SECRET: randomBytes(48).toString('base64url'),
  TELEGRAM_BOT_TOKEN: '123456:ABC-DEF_ghi',
  BOT_TOKEN_KEY: randomBytes(32).toString('base64'),
};

/**
 * The host side of a `[address:]published:target` port mapping, as docker reads it: an address (IPv4
 * here), then one port or a range `first-last`.
 */
function publishedPorts(mapping: string): {
  address: string | undefined;
  first: number;
  last: number;
  target: number;
} {
  const match = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(\d+)(?:-(\d+))?:(\d+)$/.exec(mapping);
  if (match === null) throw new Error(`not a published port mapping: ${mapping}`);
  const first = Number(match[2]);
  return { address: match[1], first, last: Number(match[3] ?? first), target: Number(match[4]) };
}

/** Every TypeScript file under a folder of the repository. */
function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('docker-compose.yml', () => {
  it('defines postgres, redis, mailpit, migrate, api, worker and bot, in the versionless compose format', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'api',
      'bot',
      'mailpit',
      'migrate',
      'postgres',
      'redis',
      'worker',
    ]);
    // `version:` is obsolete in the Compose Specification; docker compose warns about it.
    expect(compose).not.toHaveProperty('version');
  });

  it('builds one image, named, and runs migrate, api, worker and bot from it', () => {
    const building = Object.entries(compose.services).filter(([, svc]) => svc.build !== undefined);
    // The first of the three to start: whatever `up` starts api or bot starts migrate, and builds.
    expect(building.map(([name]) => name)).toEqual(['migrate']);
    expect(dependsOn('api')).toHaveProperty('migrate');
    expect(dependsOn('worker')).toHaveProperty('migrate');
    expect(dependsOn('bot')).toHaveProperty('api');
    const image = service('migrate').image;
    // A plain local name: no registry host in front of it.
    expect(image).toMatch(/^[a-z0-9][a-z0-9._-]*$/);
    for (const name of ['migrate', 'api', 'worker', 'bot']) expect(service(name).image, name).toBe(image);
    // Built from this repository's Dockerfile.
    expect(service('migrate').build).toBe('.');
    expect(existsSync(path.join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it('keeps PostgreSQL data in a named volume and checks it is ready', () => {
    const postgres = service('postgres');
    expect(postgres.image).toMatch(/^postgres:/);
    const dataVolume = (postgres.volumes ?? []).find((v) => v.endsWith(':/var/lib/postgresql/data'));
    expect(dataVolume, 'a volume on /var/lib/postgresql/data').toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(dataVolume!.split(':')[0]);
    expect(healthcheckText('postgres')).toContain('pg_isready');
    expect(postgres.healthcheck?.disable).not.toBe(true);
  });

  it('runs Redis with noeviction (sessions and rate limits must never be evicted) and a healthcheck', () => {
    const redis = service('redis');
    expect(redis.image).toMatch(/^redis:/);
    expect(commandText('redis')).toMatch(/--maxmemory-policy[ =]noeviction\b/);
    expect(healthcheckText('redis')).toMatch(/redis-cli .*ping/i);
  });

  it('migrates once PostgreSQL is healthy, with a command that exists in the image', () => {
    expect(dependsOn('migrate')).toMatchObject({ postgres: 'service_healthy' });
    expect(commandText('migrate')).toContain('src/db/migrate.ts');
    expect(existsSync(path.join(ROOT, 'src/db/migrate.ts'))).toBe(true);
  });

  it('starts the API after a successful migration on healthy PostgreSQL, Redis and Mailpit, and checks /readyz', () => {
    expect(dependsOn('api')).toEqual({
      migrate: 'service_completed_successfully',
      postgres: 'service_healthy',
      redis: 'service_healthy',
      mailpit: 'service_healthy',
    });
    const env = environmentOf('api');
    const check = healthcheckText('api');
    expect(check).toContain('/readyz');
    // The check talks to the port the API listens on, inside the container.
    expect(check).toContain(`:${env.PORT}/readyz`);
    expect(env.HOST).toBe('0.0.0.0');
    expect(service('api').ports ?? []).toContainEqual(expect.stringMatching(new RegExp(`:${env.PORT}$`)));
  });

  it('scales the API (`--scale api=3`) without two replicas asking for the same host port', () => {
    const api = service('api');
    // A fixed container name would stop a second replica before ports even matter.
    expect(api.container_name).toBeUndefined();
    expect(api.ports).toHaveLength(1);
    const port = Number(environmentOf('api').PORT);
    const check = (dotenv: Record<string, string>, replicas: number) => {
      const published = publishedPorts(interpolate(api.ports![0]!, dotenv));
      expect(published.target).toBe(port);
      // A range: docker gives each replica a port of its own from it.
      expect(published.last - published.first + 1).toBeGreaterThanOrEqual(replicas);
      return published;
    };
    expect(check(DOTENV, 3)).toEqual({ address: undefined, first: 4000, last: 4009, target: port });
    // The operator may move the range, or keep it on loopback for a proxy on the same host.
    expect(check({ ...DOTENV, API_PORTS: '127.0.0.1:8000-8002' }, 3)).toMatchObject({
      address: '127.0.0.1',
      first: 8000,
    });
    // Nothing else publishes a host port that the range could collide with, or off loopback: only
    // Mailpit's web UI, on 127.0.0.1.
    for (const [name, svc] of Object.entries(compose.services)) {
      if (name === 'api') continue;
      for (const mapping of svc.ports ?? []) {
        expect(name).toBe('mailpit');
        const ui = publishedPorts(interpolate(mapping, DOTENV));
        expect(ui).toEqual({ address: '127.0.0.1', first: 8025, last: 8025, target: 8025 });
      }
    }
  });

  it("runs Mailpit for development mail, health-checked, and sends the API's mail to it unless SMTP_URL is set", () => {
    const mailpit = service('mailpit');
    expect(mailpit.image).toMatch(/^axllent\/mailpit:v\d+\.\d+/);
    expect(healthcheckText('mailpit')).toMatch(/readyz/);
    expect(mailpit.healthcheck?.disable).not.toBe(true);
    const api = loadConfig(interpolatedEnvironment('api', DOTENV));
    // Mailpit takes SMTP on 1025 inside the compose network.
    expect(api.mail.smtpUrl).toBe('smtp://mailpit:1025');
    expect(api.mail.from).toMatch(/<[^@>]+@[^>]+>$/);
    const real = 'smtps://user:secret@mail.example.org:465';
    expect(loadConfig(interpolatedEnvironment('api', { ...DOTENV, SMTP_URL: real })).mail.smtpUrl).toBe(real);
  });

  it('runs the job queues in the worker service, not in the API, and checks its /health', () => {
    expect(dependsOn('worker')).toEqual({
      migrate: 'service_completed_successfully',
      postgres: 'service_healthy',
    });
    expect(commandText('worker')).toContain('src/worker.ts');
    expect(existsSync(path.join(ROOT, 'src/worker.ts'))).toBe(true);
    const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(packageJson.scripts.worker).toContain('src/worker.ts');
    const worker = loadConfig(interpolatedEnvironment('worker', DOTENV));
    const api = loadConfig(interpolatedEnvironment('api', DOTENV));
    // The check talks to the port the worker serves /health on, inside the container.
    expect(healthcheckText('worker')).toContain(`:${worker.jobs.workerPort}/health`);
    expect(worker.databaseUrl).toBe(api.databaseUrl);
    // Both together would be fine (a job runs once either way), but the API should serve, not work.
    expect(api.jobs.inProcess).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', JWT_SECRET: DOTENV.JWT_SECRET }).jobs.inProcess).toBe(true);
  });

  it('starts the bot once the API is healthy, pointed at the API service', () => {
    expect(dependsOn('bot')).toMatchObject({ api: 'service_healthy' });
    expect(commandText('bot')).toContain('bot/main.ts');
    expect(existsSync(path.join(ROOT, 'bot/main.ts'))).toBe(true);
    const apiPort = environmentOf('api').PORT;
    expect(environmentOf('bot').API_URL).toBe(`http://api:${apiPort}/graphql`);
  });

  it('shares one environment between migrate and api through the YAML merge key', () => {
    const document = parseDocument(COMPOSE_TEXT);
    expect(document.getIn(['services', 'api', 'environment', '<<'], true)).toBeDefined();
    const migrateEnv = environmentOf('migrate');
    const apiEnv = environmentOf('api');
    for (const [key, value] of Object.entries(migrateEnv)) expect(apiEnv[key], key).toBe(value);
  });

  it('passes the API every variable it reads, except an explicit list left to safe defaults', () => {
    expect(API_VARIABLES.length).toBeGreaterThan(10);
    for (const name of API_LEFT_TO_DEFAULTS)
      expect(API_VARIABLES, `stale allow-list entry ${name}`).toContain(name);
    const passed = Object.keys(environmentOf('api'));
    const missing = API_VARIABLES.filter((name) => !passed.includes(name) && !API_LEFT_TO_DEFAULTS.has(name));
    expect(missing, 'API variables missing from the api service').toEqual([]);
    // Nothing the API does not read (a typo would silently fall back to the default).
    expect(passed.filter((name) => !API_VARIABLES.includes(name))).toEqual([]);
    // The migration reads the same configuration (it calls loadConfig).
    const migratePassed = Object.keys(environmentOf('migrate'));
    expect(migratePassed.filter((name) => !API_VARIABLES.includes(name))).toEqual([]);
    // The worker too.
    expect(Object.keys(environmentOf('worker')).filter((name) => !API_VARIABLES.includes(name))).toEqual([]);
    for (const name of ['NODE_ENV', 'DATABASE_URL', 'JWT_SECRET']) expect(migratePassed).toContain(name);
  });

  it('passes the bot every variable it reads, except an explicit list left to safe defaults', () => {
    expect(BOT_VARIABLES.length).toBeGreaterThan(5);
    for (const name of BOT_LEFT_TO_DEFAULTS)
      expect(BOT_VARIABLES, `stale allow-list entry ${name}`).toContain(name);
    const passed = Object.keys(environmentOf('bot'));
    const missing = BOT_VARIABLES.filter((name) => !passed.includes(name) && !BOT_LEFT_TO_DEFAULTS.has(name));
    expect(missing, 'bot variables missing from the bot service').toEqual([]);
    expect(passed.filter((name) => !BOT_VARIABLES.includes(name))).toEqual([]);
  });

  it('reads the environment only through the validated schemas', () => {
    // A `process.env.X` read elsewhere would bypass both the schemas and the coverage checks above.
    const stray: string[] = [];
    for (const file of [...sourceFiles('src'), ...sourceFiles('bot')]) {
      const relative = path.relative(ROOT, file);
      if (relative === 'src/config.ts' || relative === 'bot/config.ts') continue;
      if (/process\.env\b/.test(readFileSync(file, 'utf8'))) stray.push(relative);
    }
    expect(stray).toEqual([]);
  });

  it('gives valid production configurations to migrate, api and bot from a complete .env', () => {
    const api = loadConfig(interpolatedEnvironment('api', DOTENV));
    expect(api).toMatchObject({ env: 'production', host: '0.0.0.0', port: 4000 });
    expect(api.databaseUrl).toBe('postgres://finance:pg-password@postgres:5432/finance');
    expect(api.redisUrl).toBe('redis://redis:6379');
    expect(api.jwt.secret).toBe(DOTENV.JWT_SECRET);
    expect(api.botApiSecret).toBe(DOTENV.BOT_API_SECRET);
    expect(api.graphql.introspection).toBe(false);

    const migrate = loadConfig(interpolatedEnvironment('migrate', DOTENV));
    expect(migrate.databaseUrl).toBe(api.databaseUrl);

    const bot = loadBotConfig(interpolatedEnvironment('bot', DOTENV));
    expect(bot.botApiSecret).toBe(api.botApiSecret);
    expect(bot.tokenKeys).toEqual({ current: Buffer.from(DOTENV.BOT_TOKEN_KEY!, 'base64'), previous: [] });
    expect(bot.redisUrl).toBe(api.redisUrl);
    // One Redis, two apps: their key spaces must not overlap.
    expect(bot.redisKeyPrefix.startsWith(api.redisKeyPrefix)).toBe(false);
    expect(api.redisKeyPrefix.startsWith(bot.redisKeyPrefix)).toBe(false);
    expect(bot.webhook).toBeUndefined();
  });

  it('gives valid configurations from a .env copied from .env.example with the secrets filled in', () => {
    const dotenv: Record<string, string> = {};
    for (const match of ENV_EXAMPLE.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)) dotenv[match[1]!] = match[2]!;
    for (const [name, { required }] of composeVariables()) {
      if (required) dotenv[name] = DOTENV[name] ?? expect.unreachable(`no sample value for ${name}`);
    }
    expect(loadConfig(interpolatedEnvironment('api', dotenv))).toMatchObject({ env: 'production' });
    expect(loadConfig(interpolatedEnvironment('migrate', dotenv))).toMatchObject({ env: 'production' });
    expect(loadBotConfig(interpolatedEnvironment('bot', dotenv)).webhook).toBeUndefined();
  });

  it('refuses to start without each required secret', () => {
    for (const name of [
      'POSTGRES_PASSWORD',
      'JWT_SECRET',
      'BOT_API_SECRET',
      'TELEGRAM_BOT_TOKEN',
      'BOT_TOKEN_KEY',
    ]) {
      const partial = { ...DOTENV };
      delete partial[name];
      expect(composeVariables().get(name), name).toEqual({ required: true });
      expect(() => {
        for (const svc of Object.keys(compose.services)) interpolatedEnvironment(svc, partial);
      }, name).toThrow(name);
    }
  });
});

describe('.env.example', () => {
  const documented = new Set(
    [...ENV_EXAMPLE.matchAll(/^\s*#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!),
  );

  it('documents every variable the API reads', () => {
    expect(API_VARIABLES.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('documents every variable docker-compose.yml takes from .env', () => {
    // The compose file says "Secrets come from .env (see .env.example)".
    expect([...composeVariables().keys()].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });
});
