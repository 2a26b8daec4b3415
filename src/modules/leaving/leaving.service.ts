import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { AppError, conflict, ErrorCode, forbidden } from '../../shared/errors.js';
import type { Caller } from '../auth/caller.js';
import { tokenCallerKey } from '../auth/caller.js';
import { PASSWORD_MAX_LENGTH, verifyPassword } from '../auth/password.js';
import { uuidArray } from '../../db/sql.js';
import { Role } from '../family/family.entity.js';
import type { FamilyAccess } from '../family/family-access.js';
import type { DeletionConfirmationInput } from './leaving.inputs.js';

/** How recent a password-less account's sign-in must be to confirm a deletion. */
export const FRESH_SIGN_IN_MS = 10 * 60_000;

/** The name an anonymised user row shows to the members who remain. */
export const DELETED_USER_NAME = 'Deleted user';

interface UserReference {
  tbl: string;
  col: string;
  /** pg_constraint.confdeltype: c cascade, n set null, a/r refuse. */
  rule: string;
}

/**
 * Leaving (issue 14 part 3): deleting one's account, or (owner) a family. Both are confirmed again, run
 * in one database transaction, and announce the change through the session events after commit, so every
 * replica refuses the ended sessions and tokens on their very next request.
 */
export class LeavingService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  /**
   * Deletes the caller's account. Families where they are the only member go with them. A family they
   * are the only owner of, with other members, is refused (CONFLICT): ownership is handed over
   * deliberately, never guessed. Rows of other members' families that name the user (transactions they
   * recorded or paid, contributions) keep pointing at the user's row, which is anonymised; without such
   * rows the user row is deleted.
   */
  async deleteAccount(caller: Caller, input: DeletionConfirmationInput): Promise<boolean> {
    await this.confirm(caller, input.password, 'input.password');
    const userId = caller.userId;
    const change = await this.em.transactional(async (em) => {
      const families = await em.execute<{ family_id: string; role: Role; others: number; owners: number }[]>(
        `select m.family_id, m.role,
                (select count(*) from membership o where o.family_id = m.family_id and o.user_id <> m.user_id)::int as others,
                (select count(*) from membership o where o.family_id = m.family_id and o.user_id <> m.user_id
                                                      and o.role = 'owner')::int as owners
           from membership m where m.user_id = ? order by m.family_id for update`,
        [userId],
      );
      const blocked = families.find((f) => f.role === Role.OWNER && f.others > 0 && f.owners === 0);
      if (blocked !== undefined) {
        throw conflict(
          'You are the only owner of a family with other members: make one of them an owner, or delete the family, first.',
        );
      }
      const sessions = await em.execute<{ id: string }[]>(`select id from auth_session where user_id = ?`, [
        userId,
      ]);
      const tokens = await em.execute<{ token_hash: string }[]>(
        `select token_hash from personal_access_token where user_id = ?`,
        [userId],
      );
      const alone = families.filter((f) => f.others === 0).map((f) => f.family_id);
      if (alone.length > 0)
        await em.execute(`delete from family where id = any(?::uuid[])`, [uuidArray(alone)]);
      const references = await em.execute<UserReference[]>(
        `select c.conrelid::regclass::text as tbl, quote_ident(a.attname) as col, c.confdeltype as rule
           from pg_constraint c
           join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
          where c.contype = 'f' and c.confrelid = 'app_user'::regclass
          order by 1, 2`,
      );
      let kept = false;
      for (const ref of references.filter((r) => r.rule !== 'c' && r.rule !== 'n')) {
        const [found] = await em.execute(`select 1 from ${ref.tbl} where ${ref.col} = ? limit 1`, [userId]);
        if (found !== undefined) kept = true;
      }
      if (kept) {
        // What deleting the row would do to the rows that belong to the user, done by hand; then the row
        // keeps only what the remaining members' records need: an id and a name that says what happened.
        for (const ref of references) {
          if (ref.rule === 'c') await em.execute(`delete from ${ref.tbl} where ${ref.col} = ?`, [userId]);
          if (ref.rule === 'n')
            await em.execute(`update ${ref.tbl} set ${ref.col} = null where ${ref.col} = ?`, [userId]);
        }
        await em.execute(
          `update app_user set email = null, password_hash = null, telegram_id = null, email_verified = false,
                  first_name = ?, last_name = null, language = null, default_family_id = null, deleted_at = ?
            where id = ?`,
          [DELETED_USER_NAME, this.deps.clock.now(), userId],
        );
      } else {
        await em.execute(`delete from app_user where id = ?`, [userId]);
      }
      return {
        users: [userId],
        sessions: [...sessions.map((s) => s.id), ...tokens.map((t) => tokenCallerKey(t.token_hash))],
        families: families.map((f) => f.family_id),
      };
    });
    await this.deps.sessionEvents.publish(change);
    return true;
  }

  /**
   * Deletes a family and everything it owns (OWNER only). Members stay, with the family gone from their
   * memberships; a default family pointing at it falls back to another of theirs. Tokens bound to it end.
   */
  async deleteFamily(
    caller: Caller,
    familyId: string,
    confirmation: DeletionConfirmationInput,
  ): Promise<boolean> {
    const family = await this.access.family(familyId, Role.OWNER, 'familyId');
    await this.confirm(caller, confirmation.password, 'confirmation.password');
    const change = await this.em.transactional(async (em) => {
      const members = await em.execute<{ user_id: string }[]>(
        `select user_id from membership where family_id = ?`,
        [family],
      );
      const tokens = await em.execute<{ token_hash: string }[]>(
        `select token_hash from personal_access_token where family_id = ?`,
        [family],
      );
      await em.execute(`delete from family where id = ?`, [family]);
      return {
        users: members.map((m) => m.user_id),
        sessions: tokens.map((t) => tokenCallerKey(t.token_hash)),
        families: [family as string],
      };
    });
    await this.deps.sessionEvents.publish(change);
    return true;
  }

  /**
   * The password when the account has one (INVALID_CREDENTIALS naming `field` otherwise); without one, a
   * session signed in within FRESH_SIGN_IN_MS (FORBIDDEN otherwise).
   */
  private async confirm(caller: Caller, password: string | null | undefined, field: string): Promise<void> {
    const [user] = await this.em.execute<{ password_hash: string | null }[]>(
      `select password_hash from app_user where id = ?`,
      [caller.userId],
    );
    if (user?.password_hash != null) {
      if (
        password == null ||
        [...password].length > PASSWORD_MAX_LENGTH ||
        !(await verifyPassword(user.password_hash, password))
      ) {
        throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'The password is incorrect.', { field });
      }
      return;
    }
    const [session] = await this.em.execute<{ created_at: Date }[]>(
      `select created_at from auth_session where id = ? and user_id = ?`,
      [caller.sessionId, caller.userId],
    );
    const age =
      session === undefined
        ? Infinity
        : this.deps.clock.now().getTime() - new Date(session.created_at).getTime();
    if (!(age <= FRESH_SIGN_IN_MS)) {
      throw forbidden('This account has no password: sign in again, then confirm within 10 minutes.');
    }
  }
}
