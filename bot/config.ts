import { z } from 'zod';
import { parseTokenKey } from './session/token-cipher.js';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const KEY_FORMAT = 'must be 32 bytes, as base64 or 64 hex digits (openssl rand -base64 32)';

const tokenKey = z.string().transform((text, ctx) => {
  const key = parseTokenKey(text);
  if (key === null) ctx.addIssue({ code: 'custom', message: KEY_FORMAT });
  return key ?? z.NEVER;
});

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[A-Za-z0-9_-]+$/, 'must look like 123456:ABC-DEF (from BotFather)'),
  API_URL: z.url().default('http://127.0.0.1:4000/graphql'),
  BOT_API_SECRET: z.string().refine((v) => Buffer.byteLength(v, 'utf8') >= 32, 'must be at least 32 bytes'),
  REDIS_URL: optional.pipe(z.url().optional()),
  REDIS_KEY_PREFIX: z.string().default('bot:'),
  TELEGRAM_API_ROOT: optional.pipe(z.url().optional()),
  BOT_WEBHOOK_URL: optional.pipe(z.url().optional()),
  BOT_WEBHOOK_SECRET: optional,
  BOT_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  BOT_HOST: z.string().default('0.0.0.0'),
  BOT_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  NOTIFY_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BOT_TOKEN_KEY: optional.pipe(tokenKey.optional()),
  /** Keys of earlier rotations, comma-separated: still read, never written. */
  BOT_TOKEN_OLD_KEYS: optional.transform((text, ctx) =>
    (text ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part, index) => {
        const key = parseTokenKey(part);
        if (key === null) ctx.addIssue({ code: 'custom', message: `key ${index + 1} ${KEY_FORMAT}` });
        return key ?? Buffer.alloc(0);
      }),
  ),
});

export interface BotConfig {
  token: string;
  apiUrl: string;
  botApiSecret: string;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  telegramApiRoot: string | undefined;
  /** Webhook mode when set (Telegram posts updates here); long polling otherwise. */
  webhook: { url: string; secret: string; host: string; port: number } | undefined;
  notifyIntervalMs: number;
  /** Serve Prometheus metrics on this port (BOT_HOST) when set. */
  metricsPort: number | undefined;
  logLevel: string;
  /**
   * Keys for the chat tokens at rest (AES-256-GCM): written with `current`, read with any. Unset outside
   * production, where the bot makes a key for the life of the process.
   */
  tokenKeys: { current: Buffer; previous: Buffer[] } | undefined;
}

export class BotConfigError extends Error {
  override name = 'BotConfigError';
}

/** The bot's configuration from the environment; throws BotConfigError naming the bad variable. */
export function loadBotConfig(
  env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env,
): BotConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new BotConfigError(`Invalid bot configuration: ${issues}`);
  }
  const e = parsed.data;
  if (
    e.BOT_WEBHOOK_URL !== undefined &&
    (e.BOT_WEBHOOK_SECRET === undefined || e.BOT_WEBHOOK_SECRET.length < 16)
  ) {
    throw new BotConfigError(
      'Invalid bot configuration: BOT_WEBHOOK_SECRET: webhook mode needs a secret of at least 16 characters ([A-Za-z0-9_-])',
    );
  }
  if (e.BOT_TOKEN_KEY === undefined && (e.NODE_ENV === 'production' || e.BOT_TOKEN_OLD_KEYS.length > 0)) {
    throw new BotConfigError(
      `Invalid bot configuration: BOT_TOKEN_KEY: required ${
        e.NODE_ENV === 'production' ? 'in production' : 'with BOT_TOKEN_OLD_KEYS'
      } (${KEY_FORMAT})`,
    );
  }
  return {
    token: e.TELEGRAM_BOT_TOKEN,
    apiUrl: e.API_URL,
    botApiSecret: e.BOT_API_SECRET,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    telegramApiRoot: e.TELEGRAM_API_ROOT,
    webhook:
      e.BOT_WEBHOOK_URL === undefined
        ? undefined
        : { url: e.BOT_WEBHOOK_URL, secret: e.BOT_WEBHOOK_SECRET!, host: e.BOT_HOST, port: e.BOT_PORT },
    notifyIntervalMs: e.NOTIFY_INTERVAL_MS,
    metricsPort: e.BOT_METRICS_PORT,
    logLevel: e.LOG_LEVEL,
    tokenKeys:
      e.BOT_TOKEN_KEY === undefined
        ? undefined
        : { current: e.BOT_TOKEN_KEY, previous: e.BOT_TOKEN_OLD_KEYS },
  };
}
