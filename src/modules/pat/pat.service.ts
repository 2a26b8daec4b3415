import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { sha256Hex } from '../../shared/crypto.js';
import { badInput, notFound } from '../../shared/errors.js';
import { tokenCallerKey, type Caller } from '../auth/caller.js';
import { FamilyAccess, isUuid } from '../family/family-access.js';
import { Role } from '../family/family.entity.js';
import { newTokenSecret } from './pat.auth.js';
import { PersonalAccessToken, TokenScope } from './pat.entity.js';
import type { CreateAccessTokenInput } from './pat.inputs.js';
import { readAccessTokens, type AccessTokenRow } from './pat.read.js';

/** A token can live at most this long; integrations renew it, so a forgotten one does not live forever. */
export const MAX_TOKEN_DAYS = 366;
/** Live tokens a user may hold in one family at once. */
export const MAX_LIVE_TOKENS = 20;

/** Personal access tokens of the signed-in user (K1); the auth guard keeps token callers out of here. */
export class PersonalTokenService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  /** Creates a token and returns its secret: the only time the secret is ever available. */
  async create(
    caller: Caller,
    input: CreateAccessTokenInput,
  ): Promise<{ token: AccessTokenRow; secret: string }> {
    const now = this.deps.clock.now();
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100) {
      throw badInput('input.name', 'The name must be 1 to 100 characters.');
    }
    const scopes = [...new Set(input.scopes)];
    if (scopes.length === 0) throw badInput('input.scopes', 'Give at least one scope (READ or WRITE).');
    const expiresAt = input.expiresAt;
    if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now.getTime()) {
      throw badInput('input.expiresAt', 'The expiry must be in the future.');
    }
    if (expiresAt.getTime() > now.getTime() + MAX_TOKEN_DAYS * 86_400_000) {
      throw badInput('input.expiresAt', `A token can live at most ${MAX_TOKEN_DAYS} days.`);
    }
    const familyId = await this.access.family(input.familyId, Role.VIEWER, 'input.familyId');
    const live = await this.em.count(PersonalAccessToken, {
      user: caller.userId,
      family: familyId,
      revokedAt: null,
      expiresAt: { $gt: now },
    });
    if (live >= MAX_LIVE_TOKENS) {
      throw badInput(
        'input',
        `You already have ${MAX_LIVE_TOKENS} live tokens for this family; revoke one first.`,
      );
    }
    const secret = newTokenSecret();
    const token = this.em.create(PersonalAccessToken, {
      user: caller.userId,
      family: familyId,
      name,
      // READ first, then WRITE: listed the same way whatever order they were asked in.
      scopes: Object.values(TokenScope).filter((scope) => scopes.includes(scope)),
      tokenHash: sha256Hex(secret),
      createdAt: now,
      expiresAt,
    });
    await this.em.flush();
    const [row] = await readAccessTokens(this.em, caller.userId, token.id);
    return { token: row!, secret };
  }

  list(caller: Caller): Promise<AccessTokenRow[]> {
    return readAccessTokens(this.em, caller.userId);
  }

  /**
   * Revokes one of the caller's tokens; every process forgets its caller before this answers, so the
   * very next request with it is refused. Revoking a revoked token answers the same.
   */
  async revoke(caller: Caller, id: string): Promise<string> {
    const rows = isUuid(id)
      ? await this.em.execute<{ token_hash: string }[]>(
          `update personal_access_token set revoked_at = coalesce(revoked_at, ?)
            where id = ? and user_id = ? returning token_hash`,
          [this.deps.clock.now(), id, caller.userId],
        )
      : [];
    if (rows[0] === undefined) throw notFound('Access token', 'id');
    await this.deps.sessionEvents.publish({ sessions: [tokenCallerKey(rows[0].token_hash)] });
    return id;
  }
}
