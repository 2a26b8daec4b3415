import { Redis } from 'ioredis';
import { serviceUnavailable } from '../errors.js';
import type { KeyValueStore } from './kv-store.js';

/**
 * Increment and start the window in one round trip; only the creating call sets the expiry. The seconds
 * left are rounded up from PTTL: TTL rounds to nearest and answers 0 while the window is still open.
 * Further keys are read in the same trip (a missing one comes back as nil).
 */
const INCREMENT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ms = redis.call('PTTL', KEYS[1])
local result = {count, ms}
if ms > 0 then result[2] = math.ceil(ms / 1000) end
-- GET answers false for a missing key, which keeps its place and reaches the client as nil.
for i = 2, #KEYS do result[i + 1] = redis.call('GET', KEYS[i]) end
return result
`;

const BUMP_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return count
`;

type Script = (...args: (string | number)[]) => Promise<unknown>;

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
    // No fixed key count: the caller passes it first, so ioredis still prefixes every key.
    this.redis.defineCommand('incrWindow', { lua: INCREMENT_SCRIPT });
    this.redis.defineCommand('bumpCounter', { numberOfKeys: 1, lua: BUMP_SCRIPT });
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

  async increment(
    key: string,
    windowSeconds: number,
    peek: string[] = [],
    by = 1,
  ): Promise<{ count: number; ttlSeconds: number; peeked: (string | null)[] }> {
    const [count, ttlSeconds, ...peeked] = (await this.script('incrWindow')(
      1 + peek.length,
      key,
      ...peek,
      Math.max(1, Math.ceil(windowSeconds)),
      by,
    )) as [number, number, ...(string | null)[]];
    return { count, ttlSeconds, peeked: peek.map((_, i) => peeked[i] ?? null) };
  }

  async bump(key: string, ttlSeconds: number): Promise<number> {
    return (await this.script('bumpCounter')(key, Math.max(1, Math.ceil(ttlSeconds)))) as number;
  }

  /** A command made by defineCommand, run through `run` so an outage is SERVICE_UNAVAILABLE. */
  private script(name: string): Script {
    const command = (this.redis as unknown as Record<string, Script>)[name]!;
    return (...args) => this.run(() => command.call(this.redis, ...args));
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
