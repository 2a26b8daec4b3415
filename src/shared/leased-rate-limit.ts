import { LRUCache } from 'lru-cache';
import type { RateLimit } from '../config.js';
import type { Clock } from './clock.js';
import { tooManyRequests } from './errors.js';
import type { KeyValueStore } from './kv/kv-store.js';

/** Where a subject stands in its window after a counted hit. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Seconds until the window restarts with the full limit. */
  resetSeconds: number;
}

/** Points one process reserves at a time, as a share of the limit: a hundredth (at least one). */
const LEASE_SHARE = 100;

interface Lease {
  /** Points of this lease not spent yet. */
  left: number;
  /** The shared counter's value once this lease is spent: what the window has used by then, at most. */
  usedThrough: number;
  /** When this process takes the window to end (epoch ms). */
  endsAt: number;
}

/**
 * A fixed-window limit shared by every replica, like RateLimiter's, for callers whose every request
 * is counted (personal access tokens): a round trip to the store on each request cost more than a
 * third of a small read's throughput (bench f). So a process reserves a hundredth of the limit at a
 * time and spends it locally. A replica may thus hold up to a lease of unspent points when the shared
 * count reaches the limit: the window admits up to the limit, never more, and another replica may
 * refuse a little early. Limits under 200 lease one point at a time, i.e. count exactly.
 */
export class LeasedRateLimiter {
  private readonly leases = new LRUCache<string, Lease>({ max: 10_000 });

  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
    private readonly limit: RateLimit,
  ) {}

  /** Counts one hit for `subject` in `bucket`; throws TOO_MANY_REQUESTS past the limit. */
  async consume(bucket: string, subject: string): Promise<RateLimitState> {
    const key = `rl:${bucket}:${subject}`;
    const now = this.clock.now().getTime();
    let lease = this.leases.get(key);
    if (lease === undefined || lease.left === 0 || now >= lease.endsAt) {
      lease = await this.reserve(key, now);
      this.leases.set(key, lease);
    }
    lease.left--;
    return {
      limit: this.limit.points,
      remaining: this.limit.points - (lease.usedThrough - lease.left),
      resetSeconds: Math.max(1, Math.ceil((lease.endsAt - now) / 1000)),
    };
  }

  private async reserve(key: string, now: number): Promise<Lease> {
    const size = Math.max(1, Math.floor(this.limit.points / LEASE_SHARE));
    const { count, ttlSeconds } = await this.store.increment(key, this.limit.windowSeconds, [], size);
    const resetSeconds = Math.max(1, ttlSeconds);
    // Of the points just reserved, only those within the limit may be spent.
    const usable = Math.min(size, this.limit.points - (count - size));
    if (usable <= 0) throw tooManyRequests(resetSeconds);
    return { left: usable, usedThrough: count - size + usable, endsAt: now + resetSeconds * 1000 };
  }
}
