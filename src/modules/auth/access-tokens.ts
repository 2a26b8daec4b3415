import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config.js';
import type { Clock } from '../../shared/clock.js';
import { unauthenticated } from '../../shared/errors.js';

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

/** The claims of a token that passed verification, with the moment it stops being valid. */
export interface VerifiedClaims extends AccessClaims {
  expiresAt: Date;
}

/** A token that has been issued: the JWT and the seconds it lives. */
export interface IssuedToken {
  token: string;
  expiresIn: number;
}

/** A token that passed verification, and the second it expires. */
interface VerifiedToken {
  claims: VerifiedClaims;
  exp: number;
}

/** Short-lived HS256 access tokens (J1). The algorithm, issuer and audience are pinned on verify. */
export class AccessTokens {
  /**
   * Made once: handed a string, jsonwebtoken first tries to parse it as a PEM public key and catches the
   * failure on every call, which was the largest single cost of an authenticated request.
   */
  private readonly key: KeyObject;

  /**
   * Tokens that verified, until they expire. A client sends the same token with every request of its
   * life, and the HMAC with the JSON parse around it were a twentieth of a small read. Keyed by the
   * whole token, so any changed byte misses; only successes are kept. The issuer, audience and key are
   * fixed for the process, so what verified once stays valid until `exp`. Bounded: a flood of distinct
   * tokens only evicts.
   */
  private readonly verified = new LRUCache<string, VerifiedToken>({ max: 10_000 });

  constructor(
    private readonly settings: Config['jwt'],
    private readonly clock: Clock,
  ) {
    this.key = createSecretKey(Buffer.from(settings.secret, 'utf8'));
  }

  /**
   * Signs a token for a session that ends at `sessionEnds`: it lives the access TTL, but never past the
   * session's absolute end, so no access token outlives its session (J1).
   */
  issue(claims: AccessClaims, sessionEnds: Date): IssuedToken {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const exp = Math.min(iat + this.settings.accessTtlSeconds, Math.floor(sessionEnds.getTime() / 1000));
    const token = jwt.sign({ sid: claims.sessionId, iat, exp }, this.key, {
      algorithm: 'HS256',
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      subject: claims.userId,
      jwtid: randomUUID(),
    });
    return { token, expiresIn: exp - iat };
  }

  /**
   * Returns the claims of a valid token; anything else is UNAUTHENTICATED. jsonwebtoken checks `exp` only
   * when it is there, so a token signed with the real key but without `exp` (or `iat`, `sid`, `sub`) would
   * live forever: each one is required here.
   */
  verify(token: string): VerifiedClaims {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const known = this.verified.get(token);
    // jsonwebtoken refuses a token from its `exp` second on; the same rule here.
    if (known !== undefined && now < known.exp) return known.claims;
    try {
      const payload = jwt.verify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTimestamp: now,
      });
      if (
        typeof payload === 'string' ||
        typeof payload.sub !== 'string' ||
        typeof payload.sid !== 'string' ||
        typeof payload.exp !== 'number' ||
        typeof payload.iat !== 'number'
      ) {
        throw new Error('malformed claims');
      }
      const claims = { userId: payload.sub, sessionId: payload.sid, expiresAt: new Date(payload.exp * 1000) };
      this.verified.set(token, { claims, exp: payload.exp });
      return claims;
    } catch {
      throw unauthenticated('Your access token is invalid or has expired.');
    }
  }
}
