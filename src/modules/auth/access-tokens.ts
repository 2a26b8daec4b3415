import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from '../../config.js';
import type { Clock } from '../../shared/clock.js';
import { unauthenticated } from '../../shared/errors.js';

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

/** Short-lived HS256 access tokens (J1). The algorithm, issuer and audience are pinned on verify. */
export class AccessTokens {
  /**
   * Made once: handed a string, jsonwebtoken first tries to parse it as a PEM public key and catches the
   * failure on every call, which was the largest single cost of an authenticated request.
   */
  private readonly key: KeyObject;

  constructor(
    private readonly settings: Config['jwt'],
    private readonly clock: Clock,
  ) {
    this.key = createSecretKey(Buffer.from(settings.secret, 'utf8'));
  }

  get ttlSeconds(): number {
    return this.settings.accessTtlSeconds;
  }

  issue(claims: AccessClaims): string {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    return jwt.sign({ sid: claims.sessionId, iat }, this.key, {
      algorithm: 'HS256',
      expiresIn: this.settings.accessTtlSeconds,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      subject: claims.userId,
      jwtid: randomUUID(),
    });
  }

  /** Returns the claims of a valid token; anything else is UNAUTHENTICATED. */
  verify(token: string): AccessClaims {
    try {
      const payload = jwt.verify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTimestamp: Math.floor(this.clock.now().getTime() / 1000),
      });
      if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') {
        throw new Error('malformed claims');
      }
      return { userId: payload.sub, sessionId: payload.sid };
    } catch {
      throw unauthenticated('Your access token is invalid or has expired.');
    }
  }
}
