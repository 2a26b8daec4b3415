import type { RateLimit } from '../config.js';
import { tooManyRequests } from './errors.js';
import type { KeyValueStore } from './kv/kv-store.js';

/** Fixed-window counters in the shared store, so every replica counts against the same limit. */
export class RateLimiter {
  constructor(private readonly store: KeyValueStore) {}

  /** Counts one hit for `subject` in `bucket`; throws TOO_MANY_REQUESTS past the limit. */
  async consume(bucket: string, subject: string, limit: RateLimit): Promise<void> {
    const { count, ttlSeconds } = await this.store.increment(`rl:${bucket}:${subject}`, limit.windowSeconds);
    if (count > limit.points) throw tooManyRequests(Math.max(1, ttlSeconds));
  }
}
