import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden } from '../../shared/errors.js';
import { ROLE_RANK, Role } from './family.entity.js';
import {
  INVITE,
  readDefaultFamily,
  readMembers,
  type FamilyRow,
  type InviteRow,
  type MemberRow,
} from './family.read.js';

/**
 * What a family shows of itself, to the member it was read for: a `FamilyRow` carries that member's
 * role, so these reads need no caller (a sign-in's answer shows the user's default family before any
 * token exists) and cannot reach a family the row's member does not belong to.
 */
export class FamilyReads {
  private readonly defaults = new Map<string, Promise<FamilyRow | null>>();

  constructor(private readonly em: EntityManager) {}

  /** A user's default family while they belong to it; read once per request (a page of their transactions). */
  defaultFamily(userId: string): Promise<FamilyRow | null> {
    let family = this.defaults.get(userId);
    if (family === undefined) {
      family = readDefaultFamily(this.em, userId);
      this.defaults.set(userId, family);
    }
    return family;
  }

  members(family: FamilyRow): Promise<MemberRow[]> {
    return readMembers(this.em, family.id);
  }

  /** Owners and admins only. */
  async invites(family: FamilyRow): Promise<InviteRow[]> {
    if (ROLE_RANK[family.myRole] < ROLE_RANK[Role.ADMIN]) throw forbidden('This needs the admin role.');
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `select ${INVITE.select('x')} from invite x where x.family_id = ? order by x.created_at desc`,
      [family.id],
    );
    return rows.map((row) => INVITE.read(row));
  }
}
