import type { EntityManager } from '@mikro-orm/postgresql';
import { col, shape, type Row, type RowOf } from '../../db/rows.js';
import { USER, type UserRow } from '../auth/user.read.js';
import type { FamilyTable } from './family-access.js';
import type { Role } from './family.entity.js';
import type { FamilyId } from './family-id.js';

/** The GraphQL `Family` as the read layer hands it over. */
export const FAMILY = shape({
  id: col.text('id'),
  name: col.text('name'),
  baseCurrency: col.text('base_currency'),
  monthStartDay: col.int('month_start_day'),
  timeZone: col.text('time_zone'),
  createdAt: col.timestamp('created_at'),
});

/**
 * A family as one of its members sees it: every family row is read together with that member's role,
 * so the row itself proves the membership that members and invites are checked against.
 */
export type FamilyRow = RowOf<typeof FAMILY> & { id: FamilyId; myRole: Role };

/** The GraphQL `Invite`. */
export const INVITE = shape({
  id: col.text('id'),
  role: col.enum<Role>()('role'),
  maxUses: col.int('max_uses'),
  uses: col.int('uses'),
  expiresAt: col.timestamp('expires_at'),
  revokedAt: col.timestampOrNull('revoked_at'),
});

export type InviteRow = RowOf<typeof INVITE>;

export const INVITES: FamilyTable<InviteRow> = { table: 'invite', shape: INVITE };

/** The GraphQL `Member`: a membership and its user, read in one statement. */
export const MEMBERSHIP = shape({
  role: col.enum<Role>()('role'),
  joinedAt: col.timestamp('joined_at'),
});

export type MemberRow = RowOf<typeof MEMBERSHIP> & { user: UserRow };

/** Every family row is read joined to the member's own membership row, so its id is a member's family id. */
const withRole = (row: Row): FamilyRow =>
  Object.assign(FAMILY.read(row), { id: row.id as FamilyId, myRole: row.myRole as Role });

/** Families by id that `userId` belongs to, with their role, oldest first; other ids are left out. */
export async function readFamilies(
  em: EntityManager,
  userId: string,
  ids: readonly FamilyId[],
): Promise<FamilyRow[]> {
  if (ids.length === 0) return [];
  const rows = await em.execute<Row[]>(
    `select ${FAMILY.select('f')}, m.role as "myRole"
       from family f join membership m on m.family_id = f.id and m.user_id = ?
      where f.id = any(?::uuid[]) order by f.created_at`,
    [userId, `{${ids.join(',')}}`],
  );
  return rows.map(withRole);
}

/** The members of a family the caller belongs to, with their users, by joining date. */
export async function readMembers(em: EntityManager, familyId: FamilyId): Promise<MemberRow[]> {
  const rows = await em.execute<Row[]>(
    `select ${MEMBERSHIP.select('m')}, ${USER.select('u', 'u_')}
       from membership m join app_user u on u.id = m.user_id
      where m.family_id = ? order by m.joined_at`,
    [familyId],
  );
  return rows.map((row) => Object.assign(MEMBERSHIP.read(row), { user: USER.read(row, 'u_') }));
}

/** One member of a family, with their user. */
export async function readMember(
  em: EntityManager,
  familyId: FamilyId,
  userId: string,
): Promise<MemberRow | null> {
  const rows = await em.execute<Row[]>(
    `select ${MEMBERSHIP.select('m')}, ${USER.select('u', 'u_')}
       from membership m join app_user u on u.id = m.user_id
      where m.family_id = ? and m.user_id = ?`,
    [familyId, userId],
  );
  return rows[0] === undefined
    ? null
    : Object.assign(MEMBERSHIP.read(rows[0]), { user: USER.read(rows[0], 'u_') });
}

/**
 * A user's default family, only while they are a member of it: by construction no other family's row,
 * whoever asks. Needs no caller, so a sign-in's answer can show it.
 */
export async function readDefaultFamily(em: EntityManager, userId: string): Promise<FamilyRow | null> {
  const rows = await em.execute<Row[]>(
    `select ${FAMILY.select('f')}, m.role as "myRole"
       from app_user u
       join membership m on m.user_id = u.id and m.family_id = u.default_family_id
       join family f on f.id = m.family_id
      where u.id = ?`,
    [userId],
  );
  return rows[0] === undefined ? null : withRole(rows[0]);
}
