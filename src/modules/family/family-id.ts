declare const brand: unique symbol;

/**
 * The id of a family that tenancy code vouched for: `FamilyAccess.family()` after its membership and role
 * check, or the caller's own memberships (`memberships()`, `settings()`). Every function that runs
 * family-scoped SQL takes this, not a string, so an id straight from a client does not compile there.
 */
export type FamilyId = string & { readonly [brand]: 'FamilyId' };

/**
 * ESCAPE HATCH, for system work only: a family id read from a database row the system itself wrote (the
 * budget-alert outbox, a schedule the runner posts), with no caller to check it against. Never for an id
 * that came from a client.
 */
export const familyIdFromTrustedRow = (id: string): FamilyId => id as FamilyId;
