import { Redis } from 'ioredis';
import { serviceUnavailable } from '../errors.js';
import type { KeyValueStore } from './kv-store.js';

/**
 * Increment and start the window in one round trip; only the creating call sets the expiry. The seconds
 * left are rounded up from PTTL: TTL rounds to nearest and answers 0 while the window is still open.
 */
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ms = redis.call('PTTL', KEYS[1])
if ms > 0 then return {count, math.ceil(ms / 1000)} end
return {count, ms}
`;

/** Redis-backed store; every key is namespaced with `prefix` so several apps/tests can share one server. */
export class RedisStore implements KeyValueStore {
  private readonly redis: Redis;

  constructor(url: string, prefix: string) {
    this.redis = new Redis(url, {
      keyPrefix: prefix,
      // Fail fast while Redis is down instead of queueing commands forever; reconnect in the background.
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2000,
      lazyConnect: true,
    });
    this.redis.defineCommand('incrWindow', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    // Errors surface on each command; the connection-level event only needs to be observed.
    this.redis.on('error', () => {});
  }

  async connect(): Promise<void> {
    await this.redis.connect();
  }

  async get(key: string): Promise<string | null> {
    return this.run(() => this.redis.get(key));
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    await this.run(() =>
      ttlSeconds === undefined
        ? this.redis.set(key, value)
        : this.redis.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds))),
    );
  }

  async delete(...keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return this.run(() => this.redis.del(...keys));
  }

  async increment(key: string, windowSeconds: number): Promise<{ count: number; ttlSeconds: number }> {
    const run = (this.redis as unknown as Record<string, (k: string, w: number) => Promise<[number, number]>>)
      .incrWindow;
    const [count, ttlSeconds] = await this.run(() =>
      run!.call(this.redis, key, Math.max(1, Math.ceil(windowSeconds))),
    );
    return { count, ttlSeconds };
  }

  async getDelete(key: string): Promise<string | null> {
    return this.run(() => this.redis.getdel(key));
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  /** A Redis outage reaches clients as SERVICE_UNAVAILABLE, never as a stack trace. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw Object.assign(serviceUnavailable(), { cause: error });
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
