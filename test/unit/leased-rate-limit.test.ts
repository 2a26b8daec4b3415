import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { AppError } from '../../src/shared/errors.js';
import { MemoryStore } from '../../src/shared/kv/memory-store.js';
import { LeasedRateLimiter } from '../../src/shared/leased-rate-limit.js';

/** K1f: a personal access token's limit, counted in leases of a hundredth of it. */
describe('LeasedRateLimiter', () => {
  const limit = { points: 1000, windowSeconds: 60 };

  async function admitted(limiter: LeasedRateLimiter, subject = 'token'): Promise<boolean> {
    try {
      await limiter.consume('pat', subject);
      return true;
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('TOO_MANY_REQUESTS');
      return false;
    }
  }

  it('admits exactly the limit in one process, going to the store once per lease', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore(clock);
    const limiter = new LeasedRateLimiter(store, clock, limit);
    const first = await limiter.consume('pat', 'token');
    expect(first).toEqual({ limit: 1000, remaining: 999, resetSeconds: 60 });
    expect(await store.get('rl:pat:token')).toBe('10');
    for (let i = 1; i < 1000; i++) expect(await admitted(limiter)).toBe(true);
    expect(await admitted(limiter)).toBe(false);
    // 100 leases of 10, and one refused.
    expect(await store.get('rl:pat:token')).toBe('1010');
    await store.close();
  });

  it('never admits more than the limit across processes, nor refuses more than a lease early', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore(clock);
    const replicas = [0, 1, 2].map(() => new LeasedRateLimiter(store, clock, limit));
    let admittedCount = 0;
    let refusals = 0;
    for (let i = 0; refusals < 30; i++) {
      if (await admitted(replicas[i % 3]!)) admittedCount++;
      else refusals++;
    }
    expect(admittedCount).toBeLessThanOrEqual(1000);
    expect(admittedCount).toBeGreaterThanOrEqual(1000 - 3 * 10);
    await store.close();
  });

  it('counts each subject on its own and starts again with the next window', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore(clock);
    const limiter = new LeasedRateLimiter(store, clock, { points: 3, windowSeconds: 60 });
    for (let i = 0; i < 3; i++) expect(await admitted(limiter, 'a')).toBe(true);
    expect(await admitted(limiter, 'a')).toBe(false);
    expect(await admitted(limiter, 'b')).toBe(true);
    clock.advance(60_000);
    expect(await limiter.consume('pat', 'a')).toEqual({ limit: 3, remaining: 2, resetSeconds: 60 });
    await store.close();
  });
});
