import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { randomToken, sha256Hex } from '../../shared/crypto.js';
import { AppError, ErrorCode, badInput, conflict, notFound, unauthenticated } from '../../shared/errors.js';
import { isUuid } from '../family/family-access.js';
import { readLiveSessions, type SessionRow } from './session.read.js';
import { consumeEmailToken } from './email-token.js';
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
import type { Caller } from './caller.js';
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

const invalidLink = () =>
  badInput('token', 'This link is not valid: it was already used, has expired, or a newer one was sent.');

const invalidCredentials = () =>
  new AppError(ErrorCode.INVALID_CREDENTIALS, 'The email or password is incorrect.');

type RefreshOutcome =
  | { kind: 'rotated'; payload: AuthPayload }
  | { kind: 'reused'; sessionId: string }
  | { kind: 'invalid'; message: string };

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
    this.deps.accountMail.sendVerification(user.id);
    // Signed in at once, as before verification existed: the app is usable right away, and the address
    // has to be confirmed only before it can sign in again or receive a reset link (E3).
    return this.startSession(user, meta);
  }

  /** Password login, throttled per client and per account without a lockout switch (L4, LoginThrottle). */
  async login(input: LoginInput, meta: RequestMeta): Promise<AuthPayload> {
    if ([...input.password].length > PASSWORD_MAX_LENGTH) {
      throw badInput('input.password', `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`);
    }
    const email = normalizeEmail(input.email, 'input.email');
    const throttle = this.deps.loginThrottle;
    const admission = await throttle.admit(email, meta.ip);
    // One statement for every kind of attempt (unknown email, no password, real account), then one
    // argon2 verify: the paths cannot be told apart by timing (L1, L2).
    const account = await this.findLoginAccount(email);
    if (account === null || account.passwordHash === null) {
      await verifyAgainstDummy(input.password);
      await throttle.failed(admission);
      throw invalidCredentials();
    }
    if (!(await verifyPassword(account.passwordHash, input.password))) {
      await throttle.failed(admission);
      throw invalidCredentials();
    }
    if (!account.user.emailVerified) {
      // The password was right, so this tells nothing to a guesser; not a failure for the throttle.
      await throttle.succeeded(admission);
      throw new AppError(
        ErrorCode.EMAIL_NOT_VERIFIED,
        'Please confirm your email address first: open the link we sent to it, or ask for a new one ' +
          '(requestEmailVerification).',
      );
    }
    if (passwordNeedsRehash(account.passwordHash)) {
      await this.em.nativeUpdate(
        User,
        { id: account.user.id },
        { passwordHash: await hashPassword(input.password) },
      );
    }
    const payload = await this.startSession(account.user, meta, 'web');
    await throttle.succeeded(admission);
    return payload;
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
        return { kind: 'reused', sessionId: session.id };
      }
      if (token.expiresAt <= now) return { kind: 'invalid', message: 'Refresh token is invalid or expired.' };

      token.revokedAt = now;
      session.lastUsedAt = now;
      session.ip = meta.ip;
      const { raw, entity } = this.newRefreshToken(em, session, token);
      await em.flush();
      return {
        kind: 'rotated',
        payload: this.payload(session.user.getEntity(), session.id, session.expiresAt, raw, entity.expiresAt),
      };
    });
    if (outcome.kind === 'reused') {
      await this.deps.sessionEvents.publish({ sessions: [outcome.sessionId] });
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
    await this.deps.sessionEvents.publish(
      everywhere ? { users: [principal.userId] } : { sessions: [principal.sessionId] },
    );
    return true;
  }

  /**
   * Sends a reset link if the address belongs to an account and is confirmed. The answer is the same, and
   * takes the same time, whatever the address (E1): the lookup and the mail happen after it, in the
   * background. Limited per client and per address, counted alike for known and unknown addresses.
   */
  async requestPasswordReset(emailInput: string, meta: RequestMeta): Promise<boolean> {
    const floor = this.answerFloor();
    const email = await this.admitMailRequest(emailInput, meta);
    this.deps.accountMail.sendPasswordReset(email);
    await floor;
    return true;
  }

  /** A new confirmation link for an unconfirmed address; the same answer for any address. */
  async requestEmailVerification(emailInput: string, meta: RequestMeta): Promise<boolean> {
    const floor = this.answerFloor();
    const email = await this.admitMailRequest(emailInput, meta);
    this.deps.accountMail.resendVerification(email);
    await floor;
    return true;
  }

  /**
   * Resolves `mailRequestFloorMs` from now (wall time, not the app clock: this is about how long an
   * answer takes). Every successful mail request answers after it, whatever its address (E1).
   */
  private answerFloor(): Promise<void> {
    return sleep(this.deps.config.mailRequestFloorMs);
  }

  /** Confirms the address a verification link was sent to (E2: single use, 30 minutes). */
  async verifyEmail(token: string, meta: RequestMeta): Promise<boolean> {
    await this.deps.rateLimiter.consume('email-token', meta.ip, this.deps.config.rateLimits.emailToken);
    const verified = await this.em.transactional(async (em) => {
      const used = await consumeEmailToken(em, token, 'email_verification', this.now());
      if (used === null) return false;
      await em.execute(`update app_user set email_verified = true where id = ? and email = ?`, [
        used.userId,
        used.email,
      ]);
      return true;
    });
    if (!verified) throw invalidLink();
    return true;
  }

  /**
   * Sets a new password with a reset link (E2) and ends every session of the user (a reset is what
   * someone does who fears their account is in other hands), on every API process, before answering.
   */
  async resetPassword(token: string, newPassword: string, meta: RequestMeta): Promise<boolean> {
    await this.deps.rateLimiter.consume('email-token', meta.ip, this.deps.config.rateLimits.emailToken);
    // Checked first, so a refused password does not use the link up.
    assertAcceptablePassword(newPassword, 'newPassword');
    const passwordHash = await hashPassword(newPassword);
    const userId = await this.em.transactional(async (em) => {
      const used = await consumeEmailToken(em, token, 'password_reset', this.now());
      if (used === null) return null;
      await em.execute(`update app_user set password_hash = ? where id = ?`, [passwordHash, used.userId]);
      // Any other reset link of the user dies with this one.
      await em.execute(
        `update email_token set used_at = ? where user_id = ? and kind = 'password_reset' and used_at is null`,
        [this.now(), used.userId],
      );
      const sessions = await em.find(Session, { user: used.userId, revokedAt: null });
      await this.revokeSessions(em, sessions, 'password-reset');
      await em.flush();
      return used.userId;
    });
    if (userId === null) throw invalidLink();
    await this.deps.sessionEvents.publish({ users: [userId] });
    return true;
  }

  /** The per-client and per-address limits of asking for mail; the normalized address. */
  private async admitMailRequest(emailInput: string, meta: RequestMeta): Promise<string> {
    const email = normalizeEmail(emailInput, 'email');
    const limits = this.deps.config.rateLimits;
    await this.deps.rateLimiter.consume('mail-client', meta.ip, limits.mailPerClient);
    // Keyed by a hash: the store need not hold addresses, known or not.
    await this.deps.rateLimiter.consume('mail-address', sha256Hex(email), limits.mailPerAddress);
    return email;
  }

  /** The caller's live sessions, most recently used first. */
  sessions(principal: Principal): Promise<SessionRow[]> {
    return readLiveSessions(
      this.em,
      principal.userId,
      principal.sessionId,
      this.now(),
      this.deps.config.session.idleTtlSeconds,
    );
  }

  /**
   * Ends one of the caller's own sessions (another device, or this one). Someone else's session id, or
   * one that has already ended, is NOT_FOUND: the answer never tells whether an id exists.
   */
  async revokeSession(principal: Principal, sessionId: string): Promise<boolean> {
    const session = isUuid(sessionId)
      ? await this.em.findOne(Session, { id: sessionId, user: principal.userId, revokedAt: null })
      : null;
    if (session === null || session.expiresAt <= this.now()) throw notFound('Session', 'id');
    await this.revokeSessions(this.em, [session], 'revoked-by-user');
    await this.em.flush();
    await this.deps.sessionEvents.publish({ sessions: [session.id] });
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
    await this.deps.sessionEvents.publish({ sessions: others.map((s) => s.id) });
    return true;
  }

  /** Resolves a Bearer token to its caller: valid signature and claims, session not revoked (J1, J4). */
  async authenticate(accessToken: string): Promise<Caller> {
    return this.deps.callers.read(this.em, this.deps.accessTokens.verify(accessToken));
  }

  /**
   * Opens a session for a user whose identity has just been proven: the session row and its first
   * refresh token, in one statement (a single statement is atomic, no transaction needed).
   */
  async startSession(
    user: UserView | User,
    meta: RequestMeta,
    via: SessionClient = 'web',
  ): Promise<AuthPayload> {
    const now = this.now();
    const sessionId = randomUUID();
    const expiresAt = new Date(now.getTime() + this.deps.config.session.absoluteTtlSeconds * 1000);
    const refresh = randomToken(32);
    const refreshExpiresAt = this.refreshExpiry(now, expiresAt);
    await this.em.execute(
      `with session as (
         insert into auth_session (id, user_id, via, created_at, last_used_at, expires_at, user_agent, ip)
         values (?, ?, ?, ?, ?, ?, ?, ?) returning id
       )
       insert into refresh_token (id, session_id, token_hash, created_at, expires_at)
       select ?, session.id, ?, ?, ? from session`,
      [
        sessionId,
        user.id,
        via,
        now,
        now,
        expiresAt,
        meta.userAgent?.slice(0, 256) ?? null,
        meta.ip,
        randomUUID(),
        sha256Hex(refresh),
        now,
        refreshExpiresAt,
      ],
    );
    return this.payload(user, sessionId, expiresAt, refresh, refreshExpiresAt);
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

  private payload(
    user: UserView | User,
    sessionId: string,
    sessionEnds: Date,
    rawRefresh: string,
    refreshExpiresAt: Date,
  ): AuthPayload {
    const access = this.deps.accessTokens.issue({ userId: user.id, sessionId }, sessionEnds);
    return {
      accessToken: access.token,
      refreshToken: rawRefresh,
      refreshTokenExpiresAt: refreshExpiresAt,
      expiresIn: access.expiresIn,
      user: ownUser(user),
    };
  }

  /** Ends every live session of a user opened through `via` (e.g. the bot's, when Telegram is unlinked). */
  async revokeSessionsVia(userId: string, via: SessionClient, reason: string): Promise<void> {
    const sessions = await this.em.find(Session, { user: userId, via, revokedAt: null });
    await this.revokeSessions(this.em, sessions, reason);
    await this.em.flush();
    await this.deps.sessionEvents.publish({ sessions: sessions.map((s) => s.id) });
  }

  /**
   * Ends sessions: their refresh tokens die, and their access tokens are refused from now on (J4,
   * readCaller). The caller commits, then publishes the ended sessions (SessionEvents) before it answers.
   */
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

  /** The account a login names, with its password hash; null when no account has this email. */
  private async findLoginAccount(
    email: string,
  ): Promise<{ user: UserView; passwordHash: string | null } | null> {
    const rows: Row[] = await this.em
      .getConnection()
      .execute(`select password_hash, ${userColumns('app_user')} from app_user where email = ?`, [email]);
    const row = rows[0];
    return row === undefined
      ? null
      : { user: userFromRow(row), passwordHash: row.password_hash as string | null };
  }

  private now(): Date {
    return this.deps.clock.now();
  }
}
