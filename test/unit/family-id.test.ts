import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { FamilySettings } from '../../src/modules/auth/caller.js';
import type {
  budgetCheckParams,
  enqueueBudgetCheck,
  recordBudgetAlerts,
} from '../../src/modules/budget/budget-alerts.js';
import type { budgetStatuses, spendingByPeriod } from '../../src/modules/budget/budget-status.js';
import type { readCategoriesAndBudgets } from '../../src/modules/budget/budget.read.js';
import type { FamilyAccess } from '../../src/modules/family/family-access.js';
import type { FamilyId } from '../../src/modules/family/family-id.js';
import type { Role } from '../../src/modules/family/family.entity.js';
import type {
  FamilyRow,
  readFamilies,
  readMember,
  readMembers,
} from '../../src/modules/family/family.read.js';
import type { RateBook } from '../../src/modules/rate/rate-book.js';
import type { addFilter } from '../../src/modules/transaction/transaction.filter.js';
import type {
  FactsQuery,
  Resolved,
  validateDraft,
} from '../../src/modules/transaction/transaction.validation.js';

// Checked by tsc (`npm run check`): each `@ts-expect-error` line must stay an error, so a family read that
// takes a plain string again, or a FamilyId that is a plain string again, fails the check.
const clientId: string = '00000000-0000-0000-0000-000000000000';

describe('FamilyId', () => {
  it('is not a plain string: family-scoped reads and writes refuse an unchecked id', () => {
    // @ts-expect-error a client's id is not a FamilyId
    const id: FamilyId = clientId;
    // @ts-expect-error nor are the settings of a family made up from one
    const settings: FamilySettings = { id: clientId, baseCurrency: 'EUR', monthStartDay: 1, timeZone: 'UTC' };
    // @ts-expect-error rates
    const rates: Parameters<typeof RateBook.load>[1] = clientId;
    // @ts-expect-error rates, when needed
    const ratesIf: Parameters<typeof RateBook.loadIf>[2] = clientId;
    // @ts-expect-error the read layer's family list
    const list: Parameters<FamilyAccess['list']>[1] = clientId;
    // @ts-expect-error members
    const members: Parameters<typeof readMembers>[1] = clientId;
    // @ts-expect-error one member
    const member: Parameters<typeof readMember>[1] = clientId;
    // @ts-expect-error families
    const families: Parameters<typeof readFamilies>[2] = [clientId];
    // @ts-expect-error a family row read from elsewhere
    const row: FamilyRow['id'] = clientId;
    // @ts-expect-error the transaction list filter
    const filter: Parameters<typeof addFilter>[1] = clientId;
    // @ts-expect-error the families a transaction's account may be in
    const facts: FactsQuery['families'] = [clientId];
    // @ts-expect-error the family a transaction is recorded in
    const resolved: Resolved['familyId'] = clientId;
    // @ts-expect-error the family validateDraft resolves into
    const draft: Parameters<typeof validateDraft>[2] = clientId;
    // @ts-expect-error the budget-alert outbox
    const check: Parameters<typeof budgetCheckParams>[0] = clientId;
    // @ts-expect-error the budget-alert outbox, inside an edit
    const enqueue: Parameters<typeof enqueueBudgetCheck>[1] = clientId;
    expect([id, settings, rates, ratesIf, list, members, member, families]).toHaveLength(8);
    expect([row, filter, facts, resolved, draft, check, enqueue]).toHaveLength(7);
  });

  it('is what the family reads take, and what FamilyAccess hands out', () => {
    expectTypeOf<FamilyId>().toExtend<string>();
    expectTypeOf<string>().not.toExtend<FamilyId>();
    expectTypeOf<FamilyAccess['family']>().returns.resolves.toEqualTypeOf<FamilyId>();
    expectTypeOf<FamilyAccess['memberships']>().returns.resolves.toEqualTypeOf<Map<FamilyId, Role>>();
    expectTypeOf<FamilyAccess['settings']>().returns.resolves.toHaveProperty('id').toEqualTypeOf<FamilyId>();
    expectTypeOf<typeof readCategoriesAndBudgets>().parameter(1).toEqualTypeOf<FamilySettings>();
    expectTypeOf<typeof budgetStatuses>().parameter(1).toEqualTypeOf<FamilySettings>();
    expectTypeOf<typeof spendingByPeriod>().parameter(1).toEqualTypeOf<FamilySettings>();
    expectTypeOf<typeof recordBudgetAlerts>().parameter(1).toEqualTypeOf<FamilySettings>();
    expectTypeOf<FamilySettings['id']>().toEqualTypeOf<FamilyId>();
  });

  it('is minted only by tenancy code and the one escape hatch for trusted rows', () => {
    const root = join(import.meta.dirname, '../../src');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const using = (pattern: RegExp) =>
      files
        .filter((f) => pattern.test(readFileSync(join(root, f), 'utf8')))
        .map((f) => relative(root, join(root, f)))
        .sort();
    // A cast: the caller's own membership rows, family rows read joined to the member's membership, and
    // the escape hatch itself.
    expect(using(/as FamilyId\b/)).toEqual([
      'modules/auth/caller.ts',
      'modules/family/family-id.ts',
      'modules/family/family.read.ts',
    ]);
    // The escape hatch: the budget-alert worker's outbox rows, and the schedule runner's schedule rows.
    expect(using(/familyIdFromTrustedRow\(/)).toEqual([
      'modules/budget/budget-alerts.ts',
      'modules/schedule/schedule.runner.ts',
    ]);
  });
});
