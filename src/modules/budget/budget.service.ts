import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { dayOrToday, daysBetween, localDate, parseLocalDate } from '../../shared/dates.js';
import { badInput, notFound } from '../../shared/errors.js';
import { parseAmount, parseCurrency } from '../../shared/money.js';
import { Category, CategoryKind } from '../category/category.entity.js';
import { CATEGORIES, childrenByParent } from '../category/category.read.js';
import { RateBook } from '../rate/rate-book.js';
import { ScheduleKind } from '../schedule/schedule.entity.js';
import { expectedAmount, MAX_UPCOMING_DAYS, type ScheduleService } from '../schedule/schedule.service.js';
import { isUuid, type FamilyAccess } from '../family/family-access.js';
import { Family, Role } from '../family/family.entity.js';
import type { FamilyId } from '../family/family-id.js';
import { Budget } from './budget.entity.js';
import type { BudgetStatus, CreateBudgetInput, UpdateBudgetInput } from './budget.inputs.js';
import { budgetStatuses } from './budget-status.js';
import { BUDGETS } from './budget.read.js';
import { periodContaining } from './period.js';

/** Monthly limits per category or for all spending, with spent/remaining computed from the ledger. */
export class BudgetService {
  /** Planned spending per standing, so that `planned` and `projected` compute it once. */
  private readonly plannedMemo = new WeakMap<BudgetStatus, Promise<bigint>>();
  /** Child categories per family, read once for every standing of a list rather than once each. */
  private readonly childrenMemo = new Map<FamilyId, Promise<Map<string, string[]>>>();

  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
    private readonly schedules: ScheduleService,
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

  /**
   * What the family's expense schedules will still spend in the budget's categories (with their
   * children; all of them for an all-spending budget) from today to the period's end: the occurrences
   * `upcomingTransactions` lists that fall in the period, due ask-first ones not answered yet included.
   * An approximate amount counts at its midpoint; an amount in a currency with no known rate to the
   * budget's is left out, as spending is. A period that ended before today has nothing planned.
   */
  planned(status: BudgetStatus): Promise<bigint> {
    let found = this.plannedMemo.get(status);
    if (found === undefined) {
      found = this.plannedOf(status);
      this.plannedMemo.set(status, found);
    }
    return found;
  }

  private async plannedOf(status: BudgetStatus): Promise<bigint> {
    const { budget, period, familyId } = status;
    const family = await this.access.settings(familyId);
    const today = localDate(this.deps.clock.now(), family.timeZone);
    const days = Math.min(MAX_UPCOMING_DAYS, Math.max(0, daysBetween(today, period.end)));
    const categories =
      budget.categoryId === null
        ? null
        : new Set([budget.categoryId, ...((await this.childrenOf(familyId)).get(budget.categoryId) ?? [])]);
    const items = (await this.schedules.upcoming(familyId, days)).filter(
      ({ schedule, occursOn }) =>
        schedule.kind === ScheduleKind.EXPENSE &&
        occursOn >= period.start &&
        occursOn <= period.end &&
        (categories === null || (schedule.categoryId !== null && categories.has(schedule.categoryId))),
    );
    const rates = await RateBook.loadIf(
      items.some((i) => i.schedule.currency !== budget.currency),
      this.em,
      familyId,
      period.end,
    );
    let total = 0n;
    for (const { schedule } of items) {
      total += rates.convert(expectedAmount(schedule), schedule.currency, budget.currency) ?? 0n;
    }
    return total;
  }

  private childrenOf(familyId: FamilyId): Promise<Map<string, string[]>> {
    let found = this.childrenMemo.get(familyId);
    if (found === undefined) {
      found = this.access.list(CATEGORIES, familyId).then(childrenByParent);
      this.childrenMemo.set(familyId, found);
    }
    return found;
  }

  async create(input: CreateBudgetInput): Promise<BudgetStatus> {
    const family = await this.em.findOneOrFail(
      Family,
      await this.access.family(input.familyId, Role.MEMBER, 'input.familyId'),
    );
    let category: Category | null = null;
    if (input.categoryId != null) {
      category = isUuid(input.categoryId)
        ? await this.em.findOne(Category, { id: input.categoryId, family })
        : null;
      if (category === null) throw notFound('Category', 'input.categoryId');
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

  /** Returns the deleted id, for client caches to evict. */
  async delete(id: string): Promise<string> {
    const budget = await this.access.load(Budget, id, 'Budget', Role.MEMBER);
    await this.em.nativeDelete(Budget, { id: budget.id });
    return budget.id;
  }
}
