import type { Clock } from '../clock.js';
import type { KeyValueStore } from './kv-store.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';

export type { KeyValueStore } from './kv-store.js';
export { MemoryStore } from './memory-store.js';
export { RedisStore } from './redis-store.js';

/** Redis when a URL is given, otherwise the in-process store. */
export async function createKeyValueStore(
  redisUrl: string | undefined,
  prefix: string,
  clock: Clock,
): Promise<KeyValueStore> {
  if (redisUrl === undefined) return new MemoryStore(clock);
  const store = new RedisStore(redisUrl, prefix);
  await store.connect();
  return store;
}
