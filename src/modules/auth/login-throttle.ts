import { setTimeout as sleep } from 'node:timers/promises';
import type { Config, RateLimit } from '../../config.js';
import type { Clock } from '../../shared/clock.js';
import { sha256Hex } from '../../shared/crypto.js';
import { tooManyRequests } from '../../shared/errors.js';
import type { KeyValueStore } from '../../shared/kv/kv-store.js';

/** What `admit` learned about an attempt, for recording how it ended. */
export interface Admission {
  readonly clientKey: string;
  readonly accountKey: string;
  readonly pauseKey: string;
  /** This client's recent failures on this account, before this attempt. */
  readonly clientFailures: number;
}

/**
 * Brute-force protection for password logins (L3, L4), without a lockout switch.
 *
 * An account lockout lets anyone who knows an email keep its owner out, so nothing here ever refuses the
 * right password from a client that has not been failing. Instead, as OWASP's Authentication Cheat Sheet
 * and Keycloak's brute-force detection suggest, failures are counted per (account, client IP) and per
 * account, in Redis, and forgotten an hour after the latest one:
 * - Per client IP, every login counts against the per-IP limit (30 a minute).
 * - Per (account, client): after 5 wrong passwords that client is paused on that account for 60 s,
 *   doubling with each further failure up to 15 minutes: TOO_MANY_REQUESTS with `retryAfter`, before any
 *   password is checked. Other clients, the owner's among them, are not affected. A success clears it.
 * - Per account, from anywhere: from 10 failures on the account is under attack. Then each client gets a
 *   single wrong guess before it is paused (so a distributed guesser gets one guess per address and pause,
 *   each one slowed), and every attempt on the account, right or wrong, first waits a delay of 250 ms that
 *   doubles with each further failure, capped at 2 s. The owner pays at most that delay, never a refusal.
 * Failures are counted by email, whether or not an account has it, so throttling tells nothing about
 * which emails are registered. The happy path costs one Redis round trip, as the per-IP limit alone did.
 * Concurrent guesses from one client can overshoot its threshold by what is in flight, which the per-IP
 * limit bounds.
 */
export class LoginThrottle {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
    private readonly settings: Config['loginThrottle'],
    private readonly perIp: RateLimit,
  ) {}

  /**
   * Before a password is checked: counts the attempt against the per-IP limit and reads this client's pause
   * and failures and the account's failures, in one round trip; refuses a paused client, and delays an
   * attempt on an account under attack.
   */
  async admit(email: string, ip: string): Promise<Admission> {
    const account = sha256Hex(email);
    const admission = {
      clientKey: `login:fail:${account}:${ip}`,
      accountKey: `login:fail:${account}`,
      pauseKey: `login:pause:${account}:${ip}`,
    };
    const { count, ttlSeconds, peeked } = await this.kv.increment(
      `rl:login:${ip}`,
      this.perIp.windowSeconds,
      [admission.pauseKey, admission.clientKey, admission.accountKey],
    );
    if (count > this.perIp.points) throw tooManyRequests(Math.max(1, ttlSeconds));
    const [pausedUntil, clientFailures, accountFailures] = peeked;
    // The pause ends by the app's clock (the store's expiry only clears it away), so tests can move time.
    const pauseLeftMs = Number(pausedUntil ?? 0) - this.clock.now().getTime();
    if (pauseLeftMs > 0) throw tooManyRequests(Math.ceil(pauseLeftMs / 1000));
    const delayMs = this.delayMs(Number(accountFailures ?? 0));
    if (delayMs > 0) await sleep(delayMs);
    return { ...admission, clientFailures: Number(clientFailures ?? 0) };
  }

  /** A wrong password (or no such account): counts it, and pauses the client once it is over its allowance. */
  async failed(admission: Admission): Promise<void> {
    const { memorySeconds, clientFailures, accountFailures, pauseBaseSeconds, pauseMaxSeconds } =
      this.settings;
    const [client, account] = await Promise.all([
      this.kv.bump(admission.clientKey, memorySeconds),
      this.kv.bump(admission.accountKey, memorySeconds),
    ]);
    const allowance = account >= accountFailures ? 1 : clientFailures;
    if (client < allowance) return;
    const pauseSeconds = Math.min(pauseBaseSeconds * 2 ** Math.min(client - allowance, 20), pauseMaxSeconds);
    const until = this.clock.now().getTime() + pauseSeconds * 1000;
    await this.kv.set(admission.pauseKey, String(until), pauseSeconds);
  }

  /** The right password: the client's failures on this account are forgiven (the account's are not). */
  async succeeded(admission: Admission): Promise<void> {
    if (admission.clientFailures > 0) await this.kv.delete(admission.clientKey);
  }

  private delayMs(accountFailures: number): number {
    const { accountFailures: threshold, delayBaseMs, delayMaxMs } = this.settings;
    if (accountFailures < threshold) return 0;
    return Math.min(delayBaseMs * 2 ** Math.min(accountFailures - threshold, 20), delayMaxMs);
  }
}
