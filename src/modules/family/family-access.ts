import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden, notFound } from '../../shared/errors.js';
import { readCaller, type Caller, type FamilySettings } from '../auth/caller.js';
import { ROLE_RANK, Role } from './family.entity.js';

/** Anything that belongs to exactly one family. */
export interface FamilyOwned {
  id: string;
  family: { id: string };
}

/**
 * Tenancy in one place (A2, A3). Every finance read or write goes through here: an id is looked up only
 * among the caller's families (another family's id is NOT_FOUND, never FORBIDDEN), and the caller's
 * role in that family is checked. Memberships come with the caller (readCaller), once per request.
 */
export class FamilyAccess {
  private caller: Promise<Caller>;
  readonly userId: string;

  constructor(
    private readonly em: EntityManager,
    caller: Caller,
  ) {
    this.caller = Promise.resolve(caller);
    this.userId = caller.userId;
  }

  /** Every family the caller belongs to, with the caller's role. */
  async memberships(): Promise<Map<string, Role>> {
    return (await this.caller).roles;
  }

  /** Currency, budget month and time zone of one of the caller's families (after `family()` chose it). */
  async settings(familyId: string): Promise<FamilySettings> {
    const settings = (await this.caller).families.get(familyId);
    if (settings === undefined) throw notFound('Family');
    return settings;
  }

  /** Reads memberships and settings again after the caller joined or left a family or changed one. */
  reset(): void {
    this.caller = this.caller.then((caller) => readCaller(this.em, caller));
  }

  /**
   * The family to act on: the given one, or the caller's default family when omitted. NOT_FOUND when the
   * caller is not a member (naming `field`, the input field the id came in); FORBIDDEN when the caller's
   * role is below `minRole`.
   */
  async family(
    familyId: string | null | undefined,
    minRole: Role = Role.VIEWER,
    field?: string,
  ): Promise<string> {
    const id = familyId ?? (await this.defaultFamilyId());
    const role = (await this.memberships()).get(id);
    if (role === undefined) throw notFound('Family', familyId == null ? undefined : field);
    this.assertRole(role, minRole);
    return id;
  }

  /**
   * Loads a family-owned object by id, as seen by the caller; NOT_FOUND outside the caller's families
   * (naming `field` when the id came inside an input).
   */
  async load<T extends FamilyOwned>(
    entity: EntityClass<T>,
    id: string,
    what: string,
    minRole: Role = Role.VIEWER,
    field?: string,
  ): Promise<T> {
    const roles = await this.memberships();
    if (!isUuid(id) || roles.size === 0) throw notFound(what, field);
    const found = await this.em.findOne(entity, { id, family: { $in: [...roles.keys()] } } as never);
    if (found === null) throw notFound(what, field);
    this.assertRole(roles.get((found as T).family.id)!, minRole);
    return found as T;
  }

  async roleIn(familyId: string): Promise<Role | undefined> {
    return (await this.memberships()).get(familyId);
  }

  private assertRole(role: Role, minRole: Role): void {
    if (ROLE_RANK[role] < ROLE_RANK[minRole]) {
      throw forbidden(
        minRole === Role.MEMBER
          ? 'Viewers cannot change anything in this family.'
          : `This needs the ${minRole} role.`,
      );
    }
  }

  private async defaultFamilyId(): Promise<string> {
    const { roles, defaultFamilyId } = await this.caller;
    const id =
      (defaultFamilyId !== null && roles.has(defaultFamilyId) ? defaultFamilyId : undefined) ??
      [...roles.keys()][0];
    if (id === undefined) throw notFound('Family');
    return id;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot exist (and must not reach PostgreSQL as a cast error). */
export const isUuid = (value: string): boolean => UUID.test(value);
