import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../shared/clock.js';
import { randomToken, sha256Hex } from '../../shared/crypto.js';
import { unauthenticated } from '../../shared/errors.js';
import type { LeasedRateLimiter, RateLimitState } from '../../shared/leased-rate-limit.js';
import type { CallerCache } from '../auth/caller-cache.js';
import { readTokenCaller, tokenCallerKey, type Caller } from '../auth/caller.js';

/**
 * Every secret starts with this, so secret scanners (and people) recognise a leaked one; 32 random
 * bytes follow, base64url-encoded (256 bits).
 */
export const TOKEN_PREFIX = 'ffpat_';

export const newTokenSecret = (): string => `${TOKEN_PREFIX}${randomToken(32)}`;

/** Whether a Bearer credential is a personal access token (rather than a JWT access token). */
export const isTokenSecret = (credential: string): boolean => credential.startsWith(TOKEN_PREFIX);

/** Last-used time and address are written at most this often per token and process. */
const LAST_USED_EVERY_MS = 60_000;

/** A request authenticated with a personal access token, and where it left the token's rate limit. */
export interface TokenAuthentication {
  caller: Caller;
  rateLimit: RateLimitState;
}

const refused = () => unauthenticated('This access token is invalid, revoked or expired.');

/**
 * Turns a presented secret into its caller (K1). The caller is remembered in the caller cache under the
 * secret's hash, so a revocation or a membership change reaches every process the way a session's end
 * does (SessionEvents); expiry is checked against the clock on every request.
 */
export class PersonalTokenAuth {
  /** When this process last recorded each token's use. */
  private readonly recorded = new LRUCache<string, number>({ max: 10_000 });

  constructor(
    private readonly callers: CallerCache,
    private readonly clock: Clock,
    private readonly rateLimiter: LeasedRateLimiter,
  ) {}

  async authenticate(em: EntityManager, secret: string, ip: string): Promise<TokenAuthentication> {
    if (secret.length > 128) throw refused();
    const hash = sha256Hex(secret);
    const caller = await this.callers.remember(tokenCallerKey(hash), () => readTokenCaller(em, hash));
    const now = this.clock.now().getTime();
    if (caller.sessionExpiresAt.getTime() <= now) throw refused();
    const tokenId = caller.token!.id;
    const rateLimit = await this.rateLimiter.consume('pat', tokenId);
    await this.recordUse(em, tokenId, ip, now);
    return { caller, rateLimit };
  }

  /**
   * Integrators want to know a token is in use and from where, but a write per request would cost more
   * than the read it authenticates: one write a minute per token and process, skipped when another
   * process wrote within the minute.
   */
  private async recordUse(em: EntityManager, tokenId: string, ip: string, now: number): Promise<void> {
    const last = this.recorded.get(tokenId);
    if (last !== undefined && now - last < LAST_USED_EVERY_MS) return;
    this.recorded.set(tokenId, now);
    await em.execute(
      `update personal_access_token set last_used_at = ?, last_used_ip = ?
        where id = ? and (last_used_at is null or last_used_at <= ?)`,
      [new Date(now), ip.slice(0, 64), tokenId, new Date(now - LAST_USED_EVERY_MS)],
    );
  }
}
