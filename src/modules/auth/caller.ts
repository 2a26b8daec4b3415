import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated } from '../../shared/errors.js';
import type { Family, Role } from '../family/family.entity.js';
import type { FamilyId } from '../family/family-id.js';
import type { TokenScope } from '../pat/pat.entity.js';
import { readTokenGrant } from '../pat/pat.read.js';
import type { Principal } from './auth.service.js';

/** What reads and reports need to know of a family: its currency, budget month and time zone. */
export type FamilySettings = Pick<Family, 'baseCurrency' | 'monthStartDay' | 'timeZone'> & { id: FamilyId };

/** A signed-in caller whose session is live, with the families they belong to. */
export interface Caller extends Principal {
  /** Every family the caller belongs to, with the caller's role there. */
  roles: Map<FamilyId, Role>;
  /** The settings of each of those families. */
  families: Map<FamilyId, FamilySettings>;
  /** The family finance operations act on when none is named; may be one the caller has left. */
  defaultFamilyId: string | null;
  /** The session's absolute end: past it the caller is refused, however new the access token. */
  sessionExpiresAt: Date;
  /**
   * Set when the caller presented a personal access token (K1): `roles` and `families` then hold only
   * the token's family, `sessionId` is the token's cache key and `sessionExpiresAt` its expiry.
   */
  token?: TokenGrant;
}

/** What a personal access token grants beyond its owner's role in its family. */
export interface TokenGrant {
  id: string;
  familyId: FamilyId;
  scopes: readonly TokenScope[];
  /** SHA-256 of the secret: how the token is found again, and its key in the caller cache. */
  hash: string;
}

/** The key a personal access token's caller is remembered under (CallerCache, SessionEvents). */
export const tokenCallerKey = (hash: string): string => `pat:${hash}`;

/**
 * Checks the session row an access token names (J4: PostgreSQL is the source of truth for revocation)
 * and reads the caller's memberships, their families' settings and the default family, in one statement
 * per request: tenancy needs them anyway, so revocation costs no round trip of its own.
 */
export async function readCaller(em: EntityManager, principal: Principal): Promise<Caller> {
  const rows = await em.execute<
    {
      live: boolean;
      expires_at: Date;
      family_id: string | null;
      role: Role | null;
      base_currency: string;
      month_start_day: number;
      time_zone: string;
      default_family_id: string | null;
    }[]
  >(
    `select s.revoked_at is null as live, s.expires_at, m.family_id, m.role, f.base_currency, f.month_start_day, f.time_zone,
            u.default_family_id
       from auth_session s
       join app_user u on u.id = s.user_id
       left join membership m on m.user_id = u.id
       left join family f on f.id = m.family_id
      where s.id = ? and s.user_id = ?`,
    [principal.sessionId, principal.userId],
  );
  if (rows[0]?.live !== true) throw unauthenticated('This session has ended. Please sign in again.');
  // The caller's own membership rows: the one place a caller's family ids are minted.
  const members = rows.flatMap((r) =>
    r.family_id === null ? [] : [{ ...r, family_id: r.family_id as FamilyId }],
  );
  return {
    userId: principal.userId,
    sessionId: principal.sessionId,
    roles: new Map(members.map((r) => [r.family_id, r.role!])),
    families: new Map(
      members.map((r) => [
        r.family_id,
        {
          id: r.family_id,
          baseCurrency: r.base_currency,
          monthStartDay: r.month_start_day,
          timeZone: r.time_zone,
        },
      ]),
    ),
    defaultFamilyId: rows[0].default_family_id,
    sessionExpiresAt: new Date(rows[0].expires_at),
  };
}

/**
 * The caller a personal access token yields: its owner, with only the token's family and the owner's
 * role there now. A revoked token, or one whose owner left the family, is refused; expiry is checked by
 * whoever remembers the caller, against the clock.
 */
export async function readTokenCaller(em: EntityManager, hash: string): Promise<Caller> {
  const grant = await readTokenGrant(em, hash);
  if (grant === null || !grant.live || grant.role === null) {
    throw unauthenticated('This access token is invalid, revoked or expired.');
  }
  // The owner's membership row of the token's family, read in the same statement, vouches for the id.
  const familyId = grant.familyId as FamilyId;
  const family: FamilySettings = {
    id: familyId,
    baseCurrency: grant.baseCurrency,
    monthStartDay: grant.monthStartDay,
    timeZone: grant.timeZone,
  };
  return {
    userId: grant.userId,
    sessionId: tokenCallerKey(hash),
    roles: new Map([[familyId, grant.role]]),
    families: new Map([[familyId, family]]),
    defaultFamilyId: familyId,
    sessionExpiresAt: grant.expiresAt,
    token: { id: grant.id, familyId, scopes: grant.scopes, hash },
  };
}

/** The same caller read again (after a write changed their memberships or a family's settings). */
export const reloadCaller = (em: EntityManager, caller: Caller): Promise<Caller> =>
  caller.token === undefined ? readCaller(em, caller) : readTokenCaller(em, caller.token.hash);
