import { randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { randomToken, sha256Hex } from '../../shared/crypto.js';
import { AppError, ErrorCode, badInput, conflict, unauthenticated } from '../../shared/errors.js';
import type { AuthPayload, ChangePasswordInput, LoginInput, RegisterInput } from './auth.inputs.js';
import { createPersonalFamily } from '../family/personal-family.js';
import { normalizeEmail, normalizeName } from './auth.validation.js';
import {
  PASSWORD_MAX_LENGTH,
  assertAcceptablePassword,
  hashPassword,
  passwordNeedsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from './password.js';
import { readCaller, type Caller } from './caller.js';
import { ownUser, userColumns, userFromRow, type UserView } from './user.read.js';
import type { Row } from '../../db/rows.js';
import { RefreshToken } from './refresh-token.entity.js';
import { Session, type SessionClient } from './session.entity.js';
import { User } from './user.entity.js';

/** Who is calling: the user and the session their access token belongs to. */
export interface Principal {
  userId: string;
  sessionId: string;
}

/** Where a request came from, for rate limits and the session record. */
export interface RequestMeta {
  ip: string;
  userAgent: string | undefined;
  /** The request carries the bot credential: one IP speaking for many Telegram users, so no per-IP limit. */
  isBot: boolean;
}

const invalidCredentials = () =>
  new AppError(ErrorCode.INVALID_CREDENTIALS, 'The email or password is incorrect.');

type RefreshOutcome =
  { kind: 'rotated'; payload: AuthPayload } | { kind: 'reused' } | { kind: 'invalid'; message: string };

/** Accounts, passwords and sessions (SECURITY.md P, L, J, R). */
export class AuthService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
  ) {}

  async register(input: RegisterInput, meta: RequestMeta): Promise<AuthPayload> {
    await this.deps.rateLimiter.consume('register', meta.ip, this.deps.config.rateLimits.register);
    const email = normalizeEmail(input.email, 'input.email');
    assertAcceptablePassword(input.password, 'input.password');
    const firstName = normalizeName(input.firstName, 'input.firstName', true)!;
    const lastName = normalizeName(input.lastName, 'input.lastName', false);

    const emailTaken = () => conflict('An account with this email already exists.', 'input.email');
    if ((await this.em.count(User, { email })) > 0) throw emailTaken();
    const passwordHash = await hashPassword(input.password);
    const user = this.em.create(User, {
      email,
      passwordHash,
      firstName,
      lastName,
      createdAt: this.now(),
    });
    createPersonalFamily(this.em, user, this.deps.config.defaultCurrency, this.now());
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw emailTaken();
      throw error;
    }
    return this.startSession(user, meta);
  }

  async login(input: LoginInput, meta: RequestMeta): Promise<AuthPayload> {
    await this.deps.rateLimiter.consume('login', meta.ip, this.deps.config.rateLimits.login);
    if ([...input.password].length > PASSWORD_MAX_LENGTH) {
      throw badInput('input.password', `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`);
    }
    const email = normalizeEmail(input.email, 'input.email');
    // One statement for every kind of attempt (unknown email, no password, locked, real account), then
    // one argon2 verify: the paths cannot be told apart by timing (L1, L2).
    const attempt = await this.claimLoginAttempt(email, this.now());
    if (attempt === null || attempt.passwordHash === null) {
      await verifyAgainstDummy(input.password);
      throw invalidCredentials();
    }
    if (!(await verifyPassword(attempt.passwordHash, input.password))) throw invalidCredentials();
    if (passwordNeedsRehash(attempt.passwordHash)) {
      await this.em.nativeUpdate(
        User,
        { id: attempt.user.id },
        { passwordHash: await hashPassword(input.password) },
      );
    }
    return this.startSession(attempt.user, meta, 'web', { clearFailedLogins: true });
  }

  /** Rotates a refresh token (R2), detecting reuse (R3) under a row lock (R4). */
  async refresh(rawToken: string, meta: RequestMeta): Promise<AuthPayload> {
    if (!meta.isBot)
      await this.deps.rateLimiter.consume('refresh', meta.ip, this.deps.config.rateLimits.refresh);
    if (rawToken.length > 512) throw badInput('refreshToken', 'Refresh token is malformed.');
    const outcome = await this.em.transactional(async (em): Promise<RefreshOutcome> => {
      const now = this.now();
      const token = await em.findOne(
        RefreshToken,
        { tokenHash: sha256Hex(rawToken) },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (token === null) return { kind: 'invalid', message: 'Refresh token is invalid or expired.' };
      const session = await em.findOneOrFail(Session, token.session.id, { populate: ['user'] });
      if (session.revokedAt !== null || session.expiresAt <= now) {
        return { kind: 'invalid', message: 'This session has ended. Please sign in again.' };
      }
      if (token.revokedAt !== null) {
        const child = await em.findOne(RefreshToken, { parent: token.id });
        const graceEnds = token.revokedAt.getTime() + this.deps.config.session.reuseGraceSeconds * 1000;
        if (child !== null && child.revokedAt === null && now.getTime() <= graceEnds) {
          // A client racing itself (two tabs refreshing at once), not a stolen token.
          return { kind: 'invalid', message: 'Refresh token was already used; use the newest one.' };
        }
        await this.revokeSessions(em, [session], 'refresh-token-reuse');
        return { kind: 'reused' };
      }
      if (token.expiresAt <= now) return { kind: 'invalid', message: 'Refresh token is invalid or expired.' };

      token.revokedAt = now;
      const { raw } = this.newRefreshToken(em, session, token);
      await em.flush();
      return { kind: 'rotated', payload: this.payload(session.user.getEntity(), session.id, raw) };
    });
    if (outcome.kind === 'reused') {
      throw new AppError(
        ErrorCode.REFRESH_TOKEN_REUSED,
        'This refresh token was already used. The session has been ended for safety; please sign in again.',
      );
    }
    if (outcome.kind === 'invalid') throw unauthenticated(outcome.message);
    return outcome.payload;
  }

  async logout(principal: Principal, everywhere: boolean): Promise<boolean> {
    const sessions = await this.em.find(
      Session,
      everywhere ? { user: principal.userId, revokedAt: null } : { id: principal.sessionId, revokedAt: null },
    );
    await this.revokeSessions(this.em, sessions, everywhere ? 'logout-everywhere' : 'logout');
    await this.em.flush();
    return true;
  }

  /** Changes the password and ends every other session of the user (R7). */
  async changePassword(principal: Principal, input: ChangePasswordInput): Promise<boolean> {
    if ([...input.currentPassword].length > PASSWORD_MAX_LENGTH) {
      throw badInput('input.currentPassword', `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`);
    }
    assertAcceptablePassword(input.newPassword, 'input.newPassword');
    const user = await this.em.findOneOrFail(User, principal.userId, { populate: ['passwordHash'] });
    if (user.passwordHash === null || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
      throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'The current password is incorrect.', {
        field: 'input.currentPassword',
      });
    }
    user.passwordHash = await hashPassword(input.newPassword);
    const others = await this.em.find(Session, {
      user: user.id,
      revokedAt: null,
      id: { $ne: principal.sessionId },
    });
    await this.revokeSessions(this.em, others, 'password-change');
    await this.em.flush();
    return true;
  }

  /** Resolves a Bearer token to its caller: valid signature and claims, session not revoked (J1, J4). */
  async authenticate(accessToken: string): Promise<Caller> {
    return readCaller(this.em, this.deps.accessTokens.verify(accessToken));
  }

  async me(principal: Principal): Promise<User> {
    const user = await this.em.findOne(User, principal.userId);
    if (user === null) throw unauthenticated('This account no longer exists.');
    return user;
  }

  /**
   * Opens a session for a user whose identity has just been proven: the session row and its first
   * refresh token, in one statement (a single statement is atomic, no transaction needed). After a
   * password login the same statement clears the failed-login count the attempt had raised (L4).
   */
  async startSession(
    user: UserView | User,
    meta: RequestMeta,
    via: SessionClient = 'web',
    { clearFailedLogins = false } = {},
  ): Promise<AuthPayload> {
    const now = this.now();
    const sessionId = randomUUID();
    const expiresAt = new Date(now.getTime() + this.deps.config.session.absoluteTtlSeconds * 1000);
    const refresh = randomToken(32);
    const cleared = `cleared as (
         update app_user set failed_login_count = 0, locked_until = null where id = ? returning id
       ),`;
    await this.em.execute(
      `with ${clearFailedLogins ? cleared : ''} session as (
         insert into auth_session (id, user_id, via, created_at, expires_at, user_agent)
         values (?, ?, ?, ?, ?, ?) returning id
       )
       insert into refresh_token (id, session_id, token_hash, created_at, expires_at)
       select ?, session.id, ?, ?, ? from session`,
      [
        ...(clearFailedLogins ? [user.id] : []),
        sessionId,
        user.id,
        via,
        now,
        expiresAt,
        meta.userAgent?.slice(0, 256) ?? null,
        randomUUID(),
        sha256Hex(refresh),
        now,
        this.refreshExpiry(now, expiresAt),
      ],
    );
    return this.payload(user, sessionId, refresh);
  }

  private newRefreshToken(em: EntityManager, session: Session, parent: RefreshToken | null) {
    const now = this.now();
    const raw = randomToken(32);
    const entity = em.create(RefreshToken, {
      session,
      tokenHash: sha256Hex(raw),
      parent,
      createdAt: now,
      expiresAt: this.refreshExpiry(now, session.expiresAt),
    });
    return { raw, entity };
  }

  /** A refresh token lives for the idle timeout, never past its session's absolute end (R5). */
  private refreshExpiry(now: Date, sessionEnds: Date): Date {
    const idleEnds = now.getTime() + this.deps.config.session.idleTtlSeconds * 1000;
    return new Date(Math.min(idleEnds, sessionEnds.getTime()));
  }

  private payload(user: UserView | User, sessionId: string, rawRefresh: string): AuthPayload {
    return {
      accessToken: this.deps.accessTokens.issue({ userId: user.id, sessionId }),
      refreshToken: rawRefresh,
      expiresIn: this.deps.accessTokens.ttlSeconds,
      user: ownUser(user),
    };
  }

  /** Ends every live session of a user opened through `via` (e.g. the bot's, when Telegram is unlinked). */
  async revokeSessionsVia(userId: string, via: SessionClient, reason: string): Promise<void> {
    const sessions = await this.em.find(Session, { user: userId, via, revokedAt: null });
    await this.revokeSessions(this.em, sessions, reason);
    await this.em.flush();
  }

  /** Ends sessions: their refresh tokens die, and their access tokens are refused from now on (J4, readCaller). */
  private async revokeSessions(em: EntityManager, sessions: Session[], reason: string): Promise<void> {
    if (sessions.length === 0) return;
    const now = this.now();
    for (const session of sessions) {
      session.revokedAt = now;
      session.revokedReason = reason;
    }
    await em.nativeUpdate(
      RefreshToken,
      { session: { $in: sessions.map((s) => s.id) }, revokedAt: null },
      { revokedAt: now },
    );
  }

  /**
   * Counts an attempt as a failure until it proves right, atomically, so concurrent guesses cannot outrun
   * the lock; from the threshold on, locks the account for a doubling wait (L4). Null when no unlocked
   * account has this email: the attempt may not be checked.
   */
  private async claimLoginAttempt(
    email: string,
    now: Date,
  ): Promise<{ user: UserView; passwordHash: string | null } | null> {
    const { threshold, baseSeconds, maxSeconds } = this.deps.config.lockout;
    const rows: Row[] = await this.em.getConnection().execute(
      `update app_user
          set failed_login_count = failed_login_count + 1,
              locked_until = case
                when failed_login_count + 1 >= ?
                then ?::timestamptz + make_interval(secs => least(? * power(2, least(failed_login_count + 1 - ?, 20)), ?))
                else locked_until end
        where email = ? and (locked_until is null or locked_until <= ?::timestamptz)
        returning password_hash, ${userColumns('app_user')}`,
      [threshold, now.toISOString(), baseSeconds, threshold, maxSeconds, email, now.toISOString()],
    );
    const row = rows[0];
    return row === undefined
      ? null
      : { user: userFromRow(row), passwordHash: row.password_hash as string | null };
  }

  private now(): Date {
    return this.deps.clock.now();
  }
}
