import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { currencyExponent } from './shared/money.js';

const MIN_SECRET_BYTES = 32;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * A comma-separated list of exact browser origins (`https://app.example.com`, no path, no wildcard): CORS
 * compares origins as strings, so anything but the canonical form would silently never match.
 */
const originList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().refine((origin) => {
        try {
          const url = new URL(origin);
          return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin;
        } catch {
          return false;
        }
      }, 'must be exact origins like https://app.example.com (scheme, host and port only), comma-separated'),
    ),
  );

const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url().optional())
  .optional();

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  PUBLIC_URL: optionalUrl,
  DATABASE_URL: optionalUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  REDIS_URL: optionalUrl,
  SMTP_URL: optionalUrl.refine(
    (v) => v === undefined || /^smtps?:$/.test(new URL(v).protocol),
    'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.org:587',
  ),
  MAIL_FROM: z.string().trim().min(3).default('Family Finance <no-reply@localhost>'),
  REDIS_KEY_PREFIX: z.string().default('ff:'),
  DATA_DIR: z.string().min(1).default('.data'),
  JWT_SECRET: z.string().optional(),
  BOT_API_SECRET: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || Buffer.byteLength(v, 'utf8') >= MIN_SECRET_BYTES, {
      message: `must be at least ${MIN_SECRET_BYTES} bytes (try: openssl rand -base64 48)`,
    }),
  JWT_ISSUER: z.string().min(1).default('family-finance'),
  JWT_AUDIENCE: z.string().min(1).default('family-finance-api'),
  GRAPHQL_INTROSPECTION: bool.optional(),
  TRUSTED_PROXIES: z.string().default(''),
  CORS_ORIGINS: originList.optional(),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb')
    .default('100kb'),
  DEFAULT_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR')
    .refine((code) => currencyExponent(code) !== undefined, 'is not an ISO 4217 currency')
    .default('EUR'),
  LIVE_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).max(1000).default(10),
  JOBS_IN_PROCESS: bool.default(true),
  JOBS_POOL_MAX: z.coerce.number().int().min(1).max(20).default(2),
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  PERSISTED_ONLY: bool.default(false),
  TRUSTED_DOCUMENTS: z.string().default('bot/api/generated/persisted-documents.json'),
  ACCESS_TOKEN_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  WEBHOOK_ALLOW_LOOPBACK: bool.default(false),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  WEBHOOK_RETRY_LIMIT: z.coerce.number().int().min(0).max(30).default(14),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.input<typeof envSchema>;

export interface RateLimit {
  /** Requests allowed per window. */
  points: number;
  /** Window length in seconds. */
  windowSeconds: number;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  dataDir: string;
  jwt: { secret: string; issuer: string; audience: string; accessTtlSeconds: number };
  session: {
    /** A refresh token unused for this long expires (idle timeout). */
    idleTtlSeconds: number;
    /** No session outlives this, however often it is refreshed. */
    absoluteTtlSeconds: number;
    /** A just-rotated token replayed within this window is a race, not a theft. */
    reuseGraceSeconds: number;
  };
  graphql: {
    introspection: boolean;
    hideSchemaDetails: boolean;
    /** Trusted documents: only the registered operations run (docs/integrators.md). */
    persistedOnly: boolean;
    /** Manifests of registered clients' operations (GraphQL Code Generator's persisted documents). */
    trustedDocuments: string[];
  };
  trustedProxies: string[];
  mail: {
    /** Where mail is sent; unset: written to `dir` and the log instead (the embedded start). */
    smtpUrl: string | undefined;
    from: string;
    /** Where mail goes while no SMTP server is configured. */
    dir: string;
  };
  /** Password-reset and verification links: single use, valid this long. */
  emailTokenTtlSeconds: number;
  /**
   * requestPasswordReset and requestEmailVerification answer no sooner than this after they arrive. The
   * mail is sent after the answer anyway; the floor also hides what is left (load, a cold cache) (E1).
   */
  mailRequestFloorMs: number;
  cors: {
    /** Browser origins that may call /graphql with credentials (the refresh cookie). */
    origins: string[];
    /** Also any http(s)://localhost, 127.0.0.1 or [::1] origin, whatever its port (development only). */
    allowLoopback: boolean;
    /** How long a browser may reuse a preflight answer, in seconds. */
    maxAgeSeconds: number;
  };
  /** The Telegram bot's own credential (X-Bot-Key); bot-only operations are closed while unset. */
  botApiSecret: string | undefined;
  bodyLimit: string;
  logLevel: string;
  /** Currency of new users' personal families and their cash account. */
  defaultCurrency: string;
  rateLimits: {
    login: RateLimit;
    refresh: RateLimit;
    register: RateLimit;
    /** Mail a client may ask for (reset or verification links), per client address. */
    mailPerClient: RateLimit;
    /** Mail one address may be sent on request, whoever asks: no one floods an inbox. */
    mailPerAddress: RateLimit;
    /** verifyEmail and resetPassword, per client address. */
    emailToken: RateLimit;
    /** Every request of one personal access token, from anywhere. */
    accessToken: RateLimit;
  };
  /** Live updates over WebSocket (src/graphql/websocket.ts). */
  live: {
    /** Open sockets one user may hold on one API process. */
    maxConnectionsPerUser: number;
    /** Subscriptions one socket may run at once. */
    maxSubscriptionsPerConnection: number;
    /** Largest message a client may send (ws `maxPayload`); bigger closes the socket with 1009. */
    maxMessageBytes: number;
    /** How often the server pings each socket; one that has not answered the last ping by then is dropped. */
    keepAliveMs: number;
  };
  /** Webhook deliveries (K2). */
  webhooks: {
    /** Loopback addresses (127/8, ::1) are allowed as webhook targets: tests only. Never private ranges. */
    allowLoopback: boolean;
    /** Connect and response timeout of one delivery attempt. */
    timeoutMs: number;
    /**
     * First retry after about this long, doubling each time (with jitter, each wait at most 6 h), for
     * `retryLimit` retries: with the defaults (10 s, 14) a failing delivery is retried for 23 to 30 hours.
     */
    retryDelaySeconds: number;
    retryLimit: number;
    /** Bytes of a receiver's response read at most; the rest is dropped. */
    maxResponseBytes: number;
  };
  jobs: {
    /** The API process works the job queues too; false where `npm run worker` runs them. */
    inProcess: boolean;
    /** Connections of the job queue's own pool on a real database (the embedded one lends its one). */
    poolMax: number;
    /** Where `npm run worker` serves /health and /metrics. */
    workerPort: number;
  };
  /** Brute-force protection for password logins, per client and per account (see LoginThrottle). */
  loginThrottle: {
    /** Wrong passwords one client may try on one account before it is paused. */
    clientFailures: number;
    /** Failures on one account, from anywhere, from which it counts as under attack. */
    accountFailures: number;
    /** First pause of a client, doubling with each further failure, up to the max. */
    pauseBaseSeconds: number;
    pauseMaxSeconds: number;
    /** Delay of every attempt on an account under attack, doubling with each further failure, up to the max. */
    delayBaseMs: number;
    delayMaxMs: number;
    /** Failures are forgotten this long after the latest one. */
    memorySeconds: number;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Builds the validated config from an environment; throws ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv | Env = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  const development = e.NODE_ENV === 'development';
  const production = e.NODE_ENV === 'production';
  if (production && e.WEBHOOK_ALLOW_LOOPBACK) {
    throw new ConfigError('WEBHOOK_ALLOW_LOOPBACK=true is for tests; it is refused in production.');
  }
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    dataDir: e.DATA_DIR,
    jwt: {
      secret: resolveJwtSecret(e.JWT_SECRET, development, e.DATA_DIR),
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTtlSeconds: 900,
    },
    session: {
      idleTtlSeconds: 30 * 24 * 3600,
      absoluteTtlSeconds: 90 * 24 * 3600,
      reuseGraceSeconds: 10,
    },
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION ?? !production,
      hideSchemaDetails: production,
      persistedOnly: e.PERSISTED_ONLY,
      trustedDocuments: e.TRUSTED_DOCUMENTS.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
    trustedProxies: e.TRUSTED_PROXIES.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    // Unset in development: SPA dev servers on this machine work on any port. Set, it is exactly the list.
    cors: {
      origins: e.CORS_ORIGINS ?? [],
      allowLoopback: development && e.CORS_ORIGINS === undefined,
      maxAgeSeconds: 600,
    },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      dir: path.join(e.DATA_DIR, 'mail'),
    },
    emailTokenTtlSeconds: 30 * 60,
    mailRequestFloorMs: 200,
    bodyLimit: e.BODY_LIMIT,
    botApiSecret: e.BOT_API_SECRET,
    logLevel: e.LOG_LEVEL,
    defaultCurrency: e.DEFAULT_CURRENCY,
    webhooks: {
      allowLoopback: e.WEBHOOK_ALLOW_LOOPBACK,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryDelaySeconds: e.WEBHOOK_RETRY_DELAY_SECONDS,
      retryLimit: e.WEBHOOK_RETRY_LIMIT,
      maxResponseBytes: 64 * 1024,
    },
    jobs: { inProcess: e.JOBS_IN_PROCESS, poolMax: e.JOBS_POOL_MAX, workerPort: e.WORKER_PORT },
    rateLimits: {
      login: { points: 30, windowSeconds: 60 },
      refresh: { points: 30, windowSeconds: 60 },
      register: { points: 30, windowSeconds: 300 },
      mailPerClient: { points: 10, windowSeconds: 900 },
      mailPerAddress: { points: 3, windowSeconds: 3600 },
      emailToken: { points: 30, windowSeconds: 60 },
      accessToken: { points: e.ACCESS_TOKEN_RATE_LIMIT, windowSeconds: 60 },
    },
    live: {
      maxConnectionsPerUser: e.LIVE_MAX_CONNECTIONS_PER_USER,
      maxSubscriptionsPerConnection: 20,
      maxMessageBytes: 64 * 1024,
      keepAliveMs: 15_000,
    },
    loginThrottle: {
      clientFailures: 5,
      accountFailures: 10,
      pauseBaseSeconds: 60,
      pauseMaxSeconds: 15 * 60,
      delayBaseMs: 250,
      delayMaxMs: 2000,
      memorySeconds: 3600,
    },
  };
}

/**
 * Outside development the key must come from the environment. In development a missing key is generated
 * once and kept in DATA_DIR, so sessions survive restarts of `npm start`.
 */
function resolveJwtSecret(secret: string | undefined, development: boolean, dataDir: string): string {
  if (secret !== undefined && secret !== '') {
    if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
      throw new ConfigError(
        `Invalid configuration: JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes (try: openssl rand -base64 48)`,
      );
    }
    return secret;
  }
  if (!development) {
    throw new ConfigError(
      `Invalid configuration: JWT_SECRET is required outside development (at least ${MIN_SECRET_BYTES} random bytes)`,
    );
  }
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const generated = randomBytes(48).toString('base64url');
  writeFileSync(file, generated, { mode: 0o600 });
  return generated;
}
