import type { EntityManager } from '@mikro-orm/postgresql';
import type { FamilySettings } from '../auth/caller.js';
import type { Deps } from '../../deps.js';
import { dayOrToday, localDate, parseLocalDate } from '../../shared/dates.js';
import { badInput } from '../../shared/errors.js';
import { parseAmount, parseCurrency } from '../../shared/money.js';
import { Category, CategoryKind } from '../category/category.entity.js';
import { isUuid, type FamilyAccess } from '../family/family-access.js';
import { Family, Role } from '../family/family.entity.js';
import { Budget } from './budget.entity.js';
import type { BudgetStatus, CreateBudgetInput, UpdateBudgetInput } from './budget.inputs.js';
import { budgetStatuses } from './budget-status.js';
import { BUDGETS, readCategoriesAndBudgets } from './budget.read.js';
import { childrenByParent } from '../category/category.read.js';
import { periodContaining } from './period.js';

/** Monthly limits per category or for all spending, with spent/remaining computed from the ledger. */
export class BudgetService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  /** Every active budget of the family in the period containing `date` (default: today there). */
  async statuses(
    familyId: string | null | undefined,
    date: string | null | undefined,
  ): Promise<BudgetStatus[]> {
    const family = await this.access.settings(await this.access.family(familyId));
    const day = dayOrToday(date, 'date', this.deps.clock.now(), family.timeZone);
    const budgets = await this.access.list(BUDGETS, family.id, {
      where: 'not x.archived',
      order: 'x.created_at',
    });
    return budgetStatuses(this.em, family, budgets, day);
  }

  async status(id: string, date: string | null | undefined): Promise<BudgetStatus> {
    const budget = await this.access.row(BUDGETS, id, 'Budget');
    const family = await this.access.settings(budget.familyId);
    const day = dayOrToday(date, 'date', this.deps.clock.now(), family.timeZone);
    return (await budgetStatuses(this.em, family, [budget], day))[0]!;
  }

  async create(input: CreateBudgetInput): Promise<BudgetStatus> {
    const family = await this.em.findOneOrFail(Family, await this.access.family(input.familyId, Role.MEMBER));
    let category: Category | null = null;
    if (input.categoryId != null) {
      category = isUuid(input.categoryId)
        ? await this.em.findOne(Category, { id: input.categoryId, family })
        : null;
      if (category === null) throw badInput('input.categoryId', 'No such category in this family.');
      if (category.kind !== CategoryKind.EXPENSE)
        throw badInput('input.categoryId', 'Budgets are for expense categories.');
    }
    const currency = parseCurrency(input.currency ?? family.baseCurrency, 'input.currency');
    const today = localDate(this.deps.clock.now(), family.timeZone);
    const startsOn = periodContaining(
      input.startsOn == null ? today : parseLocalDate(input.startsOn, 'input.startsOn'),
      family.monthStartDay,
    ).start;
    const budget = this.em.create(Budget, {
      family,
      category,
      amount: parseAmount(input.amount, currency, 'input.amount'),
      currency,
      rollover: input.rollover,
      startsOn,
      createdAt: this.deps.clock.now(),
    });
    await this.em.flush();
    const settings = await this.access.settings(family.id);
    return (
      await budgetStatuses(this.em, settings, [await this.access.row(BUDGETS, budget.id, 'Budget')], today)
    )[0]!;
  }

  async update(id: string, input: UpdateBudgetInput): Promise<BudgetStatus> {
    const budget = await this.access.load(Budget, id, 'Budget', Role.MEMBER);
    if (input.amount != null) budget.amount = parseAmount(input.amount, budget.currency, 'input.amount');
    if (input.rollover != null) budget.rollover = input.rollover;
    if (input.archived != null) budget.archived = input.archived;
    await this.em.flush();
    return this.status(id, null);
  }

  async delete(id: string): Promise<boolean> {
    const budget = await this.access.load(Budget, id, 'Budget', Role.MEMBER);
    await this.em.nativeDelete(Budget, { id: budget.id });
    return true;
  }
}

export const ALERT_THRESHOLDS = [80, 100] as const;

/**
 * After an expense is written, inside its database transaction: for every budget it counts toward whose spending in
 * the period of `date` has reached 80 % or 100 %, records one notification per member and threshold
 * and period. The unique dedupe key makes "once" hold even under concurrent writes.
 */
export async function recordBudgetAlerts(
  em: EntityManager,
  family: FamilySettings,
  date: string,
  categoryId: string | null,
  now: Date,
): Promise<void> {
  const familyId = family.id;
  // The family's budgets and categories (the expense category's parent, each budget's children, names).
  const { budgets: all, categories } = await readCategoriesAndBudgets(em, family);
  if (all.length === 0) return;
  const parentId = categories.find((c) => c.id === categoryId)?.parentId ?? null;
  // Only budgets this expense counts toward: all spending, its category, or its category's parent.
  const budgets = all.filter(
    (b) =>
      b.categoryId === null ||
      (categoryId !== null && (b.categoryId === categoryId || b.categoryId === parentId)),
  );
  if (budgets.length === 0) return;
  // One family's alert checks take turns: under READ COMMITTED two concurrent writes would each miss
  // the other's uncommitted spending, and a threshold they cross together would never be recorded.
  // Once the lock is ours, the next statement sees every write that released it before us.
  await em.execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`budget-alerts:${familyId}`]);
  const statuses = await budgetStatuses(em, family, budgets, date, {
    children: childrenByParent(categories),
  });
  const names = new Map(categories.map((c) => [c.id, c.name]));
  const alerts = statuses.flatMap((status) =>
    status.availableMinor <= 0n
      ? []
      : ALERT_THRESHOLDS.filter(
          (threshold) => status.spentMinor * 100n >= status.availableMinor * BigInt(threshold),
        ).map((threshold) => ({
          key: `budget:${status.budget.id}:${status.period.start}:${threshold}`,
          payload: {
            budgetId: status.budget.id,
            category:
              status.budget.categoryId === null ? null : (names.get(status.budget.categoryId) ?? null),
            threshold,
            periodStart: status.period.start,
            periodEnd: status.period.end,
            spent: status.spent,
            available: status.available,
            percentUsed: status.percentUsed,
          },
        })),
  );
  if (alerts.length === 0) return;
  // Every member gets each alert once: the dedupe key names budget, period, threshold and member.
  await em.execute(
    `insert into notification (id, family_id, user_id, kind, payload, dedupe_key, created_at)
     select gen_random_uuid(), m.family_id, m.user_id, 'budget_alert', a.payload, a.key || ':' || m.user_id, ?
       from membership m
      cross join jsonb_to_recordset(?::jsonb) as a(key text, payload jsonb)
      where m.family_id = ?
     on conflict (dedupe_key) do nothing`,
    [now.toISOString(), JSON.stringify(alerts), familyId],
  );
}
