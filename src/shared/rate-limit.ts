import type { RateLimit } from '../config.js';
import { tooManyRequests } from './errors.js';
import type { KeyValueStore } from './kv/kv-store.js';

/** Where a subject stands in its window after a counted hit. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Seconds until the window restarts with the full limit. */
  resetSeconds: number;
}

/** Fixed-window counters in the shared store, so every replica counts against the same limit. */
export class RateLimiter {
  constructor(private readonly store: KeyValueStore) {}

  /** Counts one hit for `subject` in `bucket`; throws TOO_MANY_REQUESTS past the limit. */
  async consume(bucket: string, subject: string, limit: RateLimit): Promise<RateLimitState> {
    const { count, ttlSeconds } = await this.store.increment(`rl:${bucket}:${subject}`, limit.windowSeconds);
    const resetSeconds = Math.max(1, ttlSeconds);
    if (count > limit.points) throw tooManyRequests(resetSeconds);
    return { limit: limit.points, remaining: limit.points - count, resetSeconds };
  }
}
