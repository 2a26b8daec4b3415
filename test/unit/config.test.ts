import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BotConfigError, loadBotConfig } from '../../bot/config.js';
import { ConfigError, loadConfig } from '../../src/config.js';

const SECRET = randomBytes(48).toString('base64url');
const tempRoot = mkdtempSync(path.join(tmpdir(), 'ff-config-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));

let dirs = 0;
/** A DATA_DIR that does not exist yet (its parent does), so the loader has to create it. */
const freshDataDir = () => path.join(tempRoot, `data-${++dirs}`, 'nested');

/** The ConfigError loadConfig throws for `env`; fails the test when it throws nothing or something else. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig defaults', () => {
  it('listens on 4000, keeps data in .data and runs as development', () => {
    const config = loadConfig({ JWT_SECRET: SECRET });
    expect(config.port).toBe(4000);
    expect(config.dataDir).toBe('.data');
    expect(config.env).toBe('development');
    expect(config.host).toBe('127.0.0.1');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:4000');
    expect(config.trustedProxies).toEqual([]);
    expect(config.jwt.secret).toBe(SECRET);
  });

  it('treats empty DATABASE_URL and REDIS_URL as unset (embedded database, in-process store)', () => {
    const config = loadConfig({ JWT_SECRET: SECRET, DATABASE_URL: '', REDIS_URL: '  ' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
  });
});

describe('introspection (G1)', () => {
  it('is on in development and test', () => {
    expect(loadConfig({ JWT_SECRET: SECRET }).graphql.introspection).toBe(true);
    expect(loadConfig({ JWT_SECRET: SECRET, NODE_ENV: 'test' }).graphql.introspection).toBe(true);
  });

  it('is off in production unless GRAPHQL_INTROSPECTION=true', () => {
    const production = { JWT_SECRET: SECRET, NODE_ENV: 'production' } as const;
    expect(loadConfig(production).graphql.introspection).toBe(false);
    expect(loadConfig({ ...production, GRAPHQL_INTROSPECTION: 'false' }).graphql.introspection).toBe(false);
    expect(loadConfig({ ...production, GRAPHQL_INTROSPECTION: 'true' }).graphql.introspection).toBe(true);
  });

  it('can be switched off in development', () => {
    expect(loadConfig({ JWT_SECRET: SECRET, GRAPHQL_INTROSPECTION: 'false' }).graphql.introspection).toBe(
      false,
    );
  });
});

describe('JWT signing key (J2)', () => {
  it('is required in production', () => {
    const error = configError({ NODE_ENV: 'production' });
    expect(error.message).toContain('JWT_SECRET');
  });

  it('is required in test', () => {
    expect(configError({ NODE_ENV: 'test', DATA_DIR: freshDataDir() }).message).toContain('JWT_SECRET');
  });

  it('counts an empty JWT_SECRET as missing in production', () => {
    expect(configError({ NODE_ENV: 'production', JWT_SECRET: '' }).message).toContain('JWT_SECRET');
  });

  it.each(['development', 'test', 'production'] as const)(
    'refuses a 31-byte key in %s, without echoing it',
    (nodeEnv) => {
      const short = 'k'.repeat(31);
      const error = configError({ NODE_ENV: nodeEnv, JWT_SECRET: short, DATA_DIR: freshDataDir() });
      expect(error.message).toContain('JWT_SECRET');
      expect(error.message).not.toContain(short);
    },
  );

  it('counts bytes, not characters', () => {
    // 16 two-byte characters are 32 bytes; 15 of them plus one ASCII byte are 31.
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'é'.repeat(16) }).jwt.secret).toBe(
      'é'.repeat(16),
    );
    expect(configError({ NODE_ENV: 'production', JWT_SECRET: `${'é'.repeat(15)}x` }).message).toContain(
      'JWT_SECRET',
    );
  });

  it('accepts a 32-byte key in production', () => {
    const key = 'k'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: key }).jwt.secret).toBe(key);
  });

  it('is never derived from TELEGRAM_BOT_TOKEN', () => {
    const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    expect(configError({ NODE_ENV: 'production', TELEGRAM_BOT_TOKEN: token }).message).toContain(
      'JWT_SECRET',
    );
    // In development the generated key has nothing to do with the token either.
    const a = loadConfig({ TELEGRAM_BOT_TOKEN: token, DATA_DIR: freshDataDir() }).jwt.secret;
    const b = loadConfig({ TELEGRAM_BOT_TOKEN: token, DATA_DIR: freshDataDir() }).jwt.secret;
    expect(a).not.toBe(b);
    expect(a).not.toContain(token);
    expect(a).not.toContain(token.split(':')[1]);
  });

  it('is generated once in development, kept in DATA_DIR/jwt-secret and reused', () => {
    const dataDir = freshDataDir();
    const first = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir }).jwt.secret;
    expect(Buffer.byteLength(first, 'utf8')).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, 'jwt-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir }).jwt.secret;
    expect(second).toBe(first);
    // Another data folder gets a key of its own.
    expect(loadConfig({ DATA_DIR: freshDataDir() }).jwt.secret).not.toBe(first);
  });

  it('prefers JWT_SECRET over a key kept in DATA_DIR', () => {
    const dataDir = freshDataDir();
    const generated = loadConfig({ DATA_DIR: dataDir }).jwt.secret;
    expect(loadConfig({ DATA_DIR: dataDir, JWT_SECRET: SECRET }).jwt.secret).toBe(SECRET);
    expect(SECRET).not.toBe(generated);
  });
});

describe('invalid values name the variable', () => {
  it.each(['abc', '70000', '-1', '80.5'])('PORT=%s', (port) => {
    const error = configError({ JWT_SECRET: SECRET, PORT: port });
    expect(error.message).toMatch(/\bPORT\b/);
    expect(error.message).not.toContain('JWT_SECRET');
  });

  it('accepts PORT=0 (any free port) and PORT=65535', () => {
    expect(loadConfig({ JWT_SECRET: SECRET, PORT: '0' }).port).toBe(0);
    expect(loadConfig({ JWT_SECRET: SECRET, PORT: '65535' }).port).toBe(65535);
  });

  it.each(['not a url', 'postgres//missing-colon'])('DATABASE_URL=%s', (url) => {
    const error = configError({ JWT_SECRET: SECRET, DATABASE_URL: url });
    expect(error.message).toContain('DATABASE_URL');
  });

  it('keeps a valid DATABASE_URL and REDIS_URL', () => {
    const config = loadConfig({
      JWT_SECRET: SECRET,
      DATABASE_URL: 'postgres://app:pw@db:5432/app',
      REDIS_URL: 'redis://cache:6379/0',
    });
    expect(config.databaseUrl).toBe('postgres://app:pw@db:5432/app');
    expect(config.redisUrl).toBe('redis://cache:6379/0');
  });

  it('REDIS_URL=not a url', () => {
    expect(configError({ JWT_SECRET: SECRET, REDIS_URL: 'not a url' }).message).toContain('REDIS_URL');
  });

  it('NODE_ENV=staging', () => {
    expect(configError({ JWT_SECRET: SECRET, NODE_ENV: 'staging' }).message).toContain('NODE_ENV');
  });
});

describe('mail: SMTP_URL and MAIL_FROM', () => {
  it('sends nothing by default: mail goes to DATA_DIR/mail; SMTP_URL takes smtp:// and smtps:// only', () => {
    const unset = loadConfig({ JWT_SECRET: SECRET, DATA_DIR: '/srv/finance' }).mail;
    expect(unset).toEqual({
      smtpUrl: undefined,
      from: 'Family Finance <no-reply@localhost>',
      dir: path.join('/srv/finance', 'mail'),
    });
    expect(loadConfig({ JWT_SECRET: SECRET, SMTP_URL: '' }).mail.smtpUrl).toBeUndefined();
    for (const url of ['smtp://mailpit:1025', 'smtps://user:secret@mail.example.org:465']) {
      expect(loadConfig({ JWT_SECRET: SECRET, SMTP_URL: url }).mail.smtpUrl).toBe(url);
    }
    for (const bad of ['http://mail.example.org', 'mail.example.org:25']) {
      expect(configError({ JWT_SECRET: SECRET, SMTP_URL: bad }).message).toContain('SMTP_URL');
    }
    expect(loadConfig({ JWT_SECRET: SECRET, MAIL_FROM: 'Us <us@example.org>' }).mail.from).toBe(
      'Us <us@example.org>',
    );
  });
});

describe('TRUSTED_PROXIES', () => {
  it('splits on commas, trims and drops empty entries', () => {
    const config = loadConfig({
      JWT_SECRET: SECRET,
      TRUSTED_PROXIES: ' 10.0.0.1 , loopback,,192.168.0.0/16 ,',
    });
    expect(config.trustedProxies).toEqual(['10.0.0.1', 'loopback', '192.168.0.0/16']);
  });

  it('is empty when unset or blank', () => {
    expect(loadConfig({ JWT_SECRET: SECRET }).trustedProxies).toEqual([]);
    expect(loadConfig({ JWT_SECRET: SECRET, TRUSTED_PROXIES: ' , ' }).trustedProxies).toEqual([]);
  });
});

describe('the bot: BOT_TOKEN_KEY, the key of the chat tokens at rest', () => {
  const KEY = randomBytes(32);
  const OLD = randomBytes(32);
  const bot = {
    TELEGRAM_BOT_TOKEN: '123456:ABC-DEF',
    BOT_API_SECRET: SECRET,
  };

  /** The BotConfigError loadBotConfig throws for `env`. */
  function botConfigError(env: Record<string, string>): BotConfigError {
    try {
      loadBotConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(BotConfigError);
      return error as BotConfigError;
    }
    throw new Error('loadBotConfig accepted the environment');
  }

  it('is required in production (empty counts as missing), and may be left out in development and test', () => {
    expect(botConfigError({ ...bot, NODE_ENV: 'production' }).message).toContain('BOT_TOKEN_KEY');
    expect(botConfigError({ ...bot, NODE_ENV: 'production', BOT_TOKEN_KEY: ' ' }).message).toContain(
      'BOT_TOKEN_KEY',
    );
    const config = loadBotConfig({ ...bot, NODE_ENV: 'production', BOT_TOKEN_KEY: KEY.toString('base64') });
    expect(config.tokenKeys).toEqual({ current: KEY, previous: [] });
    // The bot then makes a key for the life of the process (bot/bot.ts).
    expect(loadBotConfig(bot).tokenKeys).toBeUndefined();
    expect(loadBotConfig({ ...bot, NODE_ENV: 'test' }).tokenKeys).toBeUndefined();
  });

  it('is 32 bytes as base64, base64url or hex', () => {
    for (const text of [KEY.toString('base64'), KEY.toString('base64url'), KEY.toString('hex')]) {
      expect(loadBotConfig({ ...bot, BOT_TOKEN_KEY: text }).tokenKeys?.current).toEqual(KEY);
    }
    for (const bad of [
      'not a key',
      randomBytes(16).toString('base64'),
      randomBytes(32).toString('hex').slice(1),
    ]) {
      expect(botConfigError({ ...bot, BOT_TOKEN_KEY: bad }).message, bad).toContain('BOT_TOKEN_KEY');
    }
  });

  it('reads earlier keys from BOT_TOKEN_OLD_KEYS, comma-separated, each checked', () => {
    const config = loadBotConfig({
      ...bot,
      BOT_TOKEN_KEY: KEY.toString('hex'),
      BOT_TOKEN_OLD_KEYS: ` ${OLD.toString('base64')} ,, ${KEY.toString('base64url')},`,
    });
    expect(config.tokenKeys).toEqual({ current: KEY, previous: [OLD, KEY] });
    const error = botConfigError({
      ...bot,
      BOT_TOKEN_KEY: KEY.toString('hex'),
      BOT_TOKEN_OLD_KEYS: `${OLD.toString('base64')},short`,
    });
    expect(error.message).toContain('BOT_TOKEN_OLD_KEYS');
    expect(error.message).toContain('key 2');
    // Old keys without a current one would leave nothing to write with.
    expect(botConfigError({ ...bot, BOT_TOKEN_OLD_KEYS: OLD.toString('base64') }).message).toContain(
      'BOT_TOKEN_KEY',
    );
  });

  it('never appears in the error message', () => {
    const secretLooking = randomBytes(40).toString('base64');
    expect(botConfigError({ ...bot, BOT_TOKEN_KEY: secretLooking }).message).not.toContain(secretLooking);
  });
});
