import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Row, Shape } from '../../db/rows.js';
import { uuidArray } from '../../db/sql.js';
import { forbidden, notFound } from '../../shared/errors.js';
import { reloadCaller, type Caller, type FamilySettings } from '../auth/caller.js';
import { ROLE_RANK, Role } from './family.entity.js';
import type { FamilyId } from './family-id.js';

/** A family-owned table as the read layer reads it: its name and the shape of its GraphQL type. */
export interface FamilyTable<T> {
  table: string;
  shape: Shape<T>;
}

/** A row of a family-owned table, with the family it belongs to. */
export type Owned<T> = T & { familyId: string };

/** Anything that belongs to exactly one family. */
export interface FamilyOwned {
  id: string;
  family: { id: string };
}

/**
 * Tenancy in one place (A2, A3). Every finance read or write goes through here: an id is looked up only
 * among the caller's families (another family's id is NOT_FOUND, never FORBIDDEN), and the caller's
 * role in that family is checked. Memberships come with the caller (readCaller), once per request.
 * Family-owned rows are read through `row`, `rows` and `list`, which add the family condition
 * themselves: a read cannot forget it.
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
  async memberships(): Promise<Map<FamilyId, Role>> {
    return (await this.caller).roles;
  }

  /** Currency, budget month and time zone of one of the caller's families (after `family()` chose it). */
  async settings(familyId: string): Promise<FamilySettings> {
    const families: ReadonlyMap<string, FamilySettings> = (await this.caller).families;
    const settings = families.get(familyId);
    if (settings === undefined) throw notFound('Family');
    return settings;
  }

  /** Reads memberships and settings again after the caller joined or left a family or changed one. */
  reset(): void {
    this.caller = this.caller.then((caller) => reloadCaller(this.em, caller));
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
  ): Promise<FamilyId> {
    const id = familyId ?? (await this.defaultFamilyId());
    // The id handed back is the caller's own membership's, never the one given.
    const member = [...(await this.memberships())].find(([family]) => family === id);
    if (member === undefined) throw notFound('Family', familyId == null ? undefined : field);
    this.assertRole(member[1], minRole);
    return member[0];
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
    this.assertRole((await this.roleIn((found as T).family.id))!, minRole);
    return found as T;
  }

  /**
   * One row of a family-owned table by id, as the caller may see it: NOT_FOUND outside the caller's
   * families, FORBIDDEN below `minRole`.
   */
  async row<T>(
    table: FamilyTable<T>,
    id: string,
    what: string,
    minRole: Role = Role.VIEWER,
  ): Promise<Owned<T>> {
    const [found] = isUuid(id) ? await this.rows(table, [id]) : [];
    if (found === undefined) throw notFound(what);
    this.assertRole((await this.roleIn(found.familyId))!, minRole);
    return found;
  }

  /** Rows of a family-owned table by id, among the caller's families only; other ids are left out. */
  async rows<T>(table: FamilyTable<T>, ids: readonly string[]): Promise<Owned<T>[]> {
    const families = [...(await this.memberships()).keys()];
    const wanted = ids.filter(isUuid);
    if (families.length === 0 || wanted.length === 0) return [];
    const rows = await this.em.execute<Row[]>(
      `select ${table.shape.select('x')}, x.family_id as "familyId" from ${table.table} x
        where x.id = any(?::uuid[]) and x.family_id = any(?::uuid[])`,
      [uuidArray(wanted), uuidArray(families)],
    );
    return rows.map((row) => owned(table.shape.read(row), row));
  }

  /**
   * The rows of a family-owned table in one family the caller belongs to (chosen by `family()` first), that
   * meet `where` (SQL over the alias `x`), in `order`.
   */
  async list<T>(
    table: FamilyTable<T>,
    familyId: FamilyId,
    {
      where = 'true',
      params = [],
      order = 'x.id',
    }: { where?: string; params?: unknown[]; order?: string } = {},
  ): Promise<T[]> {
    if (!(await this.memberships()).has(familyId)) throw notFound('Family');
    const rows = await this.em.execute<Row[]>(
      `select ${table.shape.select('x')} from ${table.table} x where x.family_id = ? and (${where}) order by ${order}`,
      [familyId, ...params],
    );
    return rows.map((row) => table.shape.read(row));
  }

  async roleIn(familyId: string): Promise<Role | undefined> {
    const roles: ReadonlyMap<string, Role> = await this.memberships();
    return roles.get(familyId);
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
      (defaultFamilyId !== null && (await this.roleIn(defaultFamilyId)) ? defaultFamilyId : undefined) ??
      [...roles.keys()][0];
    if (id === undefined) throw notFound('Family');
    return id;
  }
}

const owned = <T>(value: T, row: Row): Owned<T> =>
  Object.assign(value as object, { familyId: row.familyId as string }) as Owned<T>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot exist (and must not reach PostgreSQL as a cast error). */
export const isUuid = (value: string): boolean => UUID.test(value);
