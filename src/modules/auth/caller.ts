import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated } from '../../shared/errors.js';
import type { Role } from '../family/family.entity.js';
import type { Principal } from './auth.service.js';

/** A signed-in caller whose session is live, with the families they belong to. */
export interface Caller extends Principal {
  /** Every family the caller belongs to, with the caller's role there. */
  roles: Map<string, Role>;
  /** The family finance operations act on when none is named; may be one the caller has left. */
  defaultFamilyId: string | null;
}

/**
 * Checks the session row an access token names (J4: PostgreSQL is the source of truth for revocation)
 * and reads the caller's memberships and default family, in one statement per request: tenancy needs
 * them anyway, so revocation costs no round trip of its own.
 */
export async function readCaller(em: EntityManager, principal: Principal): Promise<Caller> {
  const rows = await em.execute<
    { live: boolean; family_id: string | null; role: Role | null; default_family_id: string | null }[]
  >(
    `select s.revoked_at is null as live, m.family_id, m.role, u.default_family_id
       from auth_session s
       join app_user u on u.id = s.user_id
       left join membership m on m.user_id = u.id
      where s.id = ? and s.user_id = ?`,
    [principal.sessionId, principal.userId],
  );
  if (rows[0]?.live !== true) throw unauthenticated('This session has ended. Please sign in again.');
  return {
    userId: principal.userId,
    sessionId: principal.sessionId,
    roles: new Map(rows.flatMap((r) => (r.family_id === null ? [] : [[r.family_id, r.role!] as const]))),
    defaultFamilyId: rows[0].default_family_id,
  };
}
