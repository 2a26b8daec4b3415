import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { dayOrToday, localDate, parseLocalDate } from '../../shared/dates.js';
import { badInput, notFound } from '../../shared/errors.js';
import { parseAmount, parseCurrency } from '../../shared/money.js';
import { Category, CategoryKind } from '../category/category.entity.js';
import { isUuid, type FamilyAccess } from '../family/family-access.js';
import { Family, Role } from '../family/family.entity.js';
import { Budget } from './budget.entity.js';
import type { BudgetStatus, CreateBudgetInput, UpdateBudgetInput } from './budget.inputs.js';
import { budgetStatuses } from './budget-status.js';
import { BUDGETS } from './budget.read.js';
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
