import { Amount } from '../../shared/money.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { addDays, localDate, parseLocalDate } from '../../shared/dates.js';
import { badInput } from '../../shared/errors.js';
import type { Row } from '../../db/rows.js';
import { USER } from '../auth/user.read.js';
import { readCategoriesAndBudgets } from '../budget/budget.read.js';
import { childrenByParent } from '../category/category.read.js';
import { budgetStatuses } from '../budget/budget-status.js';
import { periodContaining, periodKeySql, shiftPeriod } from '../budget/period.js';
import type { FamilyAccess } from '../family/family-access.js';
import type { FamilySettings } from '../auth/caller.js';
import { RateBook } from '../rate/rate-book.js';
import { ScheduleKind } from '../schedule/schedule.entity.js';
import { expectedAmount, type ScheduleService } from '../schedule/schedule.service.js';
import type {
  CashFlowForecast,
  CashFlowReport,
  MemberSpendingReport,
  NetWorth,
  SpendingReport,
} from './report.types.js';

const MAX_RANGE_DAYS = 366;
const MAX_FORECAST_MONTHS = 12;

/**
 * Finance reports, each one or two grouped SQL queries over the family's ledger, summed in the base
 * currency at the rates known on the last day reported. A currency without a rate is listed, never
 * assumed to be worth 1.
 */
export class ReportService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
    private readonly schedules: ScheduleService,
  ) {}

  async spendingByCategory(
    familyId: string | null | undefined,
    from?: string | null,
    to?: string | null,
  ): Promise<SpendingReport> {
    const family = await this.family(familyId);
    const period = this.range(family, from, to);
    // In one statement: the whole family's categories (names, parents to roll children up, children for
    // the budgets), its budgets, and the period's spending, grouped as budgets group it, so when the
    // period is one budget month the budget standings reuse it.
    const {
      categories: all,
      budgets: active,
      spending: rows,
    } = await readCategoriesAndBudgets(this.em, family, { from: period.start, to: period.end });
    const categories = new Map(all.map((c) => [c.id, c]));
    const children = childrenByParent(all);
    const rates = await RateBook.loadIf(
      rows.some((row) => row.currency !== family.baseCurrency),
      this.em,
      family.id,
      period.end,
    );
    const missing = new Set<string>();
    const byCategory = new Map<string | null, bigint>();
    for (const row of rows) {
      const converted = rates.convert(BigInt(row.spent), row.currency, family.baseCurrency);
      if (converted === null) {
        missing.add(row.currency);
        continue;
      }
      const top =
        row.category_id === null ? null : (categories.get(row.category_id)?.parentId ?? row.category_id);
      byCategory.set(top, (byCategory.get(top) ?? 0n) + converted);
    }
    const budgets = active.filter((b) => b.categoryId !== null && byCategory.has(b.categoryId));
    const statuses = new Map(
      (
        await budgetStatuses(this.em, family, budgets, period.start, {
          children,
          spending: { from: period.start, to: period.end, rows },
          ...(rates !== RateBook.none && { rates: { asOf: period.end, book: rates } }),
        })
      ).map((s) => [s.budget.categoryId!, s]),
    );
    const entries = [...byCategory.entries()].sort((a, b) => (a[1] === b[1] ? 0 : a[1] > b[1] ? -1 : 1));
    return {
      period,
      total: new Amount(
        entries.reduce((sum, [, spent]) => sum + spent, 0n),
        family.baseCurrency,
      ),
      categories: entries.map(([id, spent]) => ({
        category: id === null ? null : (categories.get(id) ?? null),
        spent: new Amount(spent, family.baseCurrency),
        budget: id === null ? null : (statuses.get(id) ?? null),
      })),
      missingRates: [...missing].sort(),
    };
  }

  async cashFlow(familyId: string | null | undefined, months: number): Promise<CashFlowReport> {
    if (!Number.isInteger(months) || months < 1 || months > 36)
      throw badInput('months', 'Months must be 1 to 36.');
    const family = await this.family(familyId);
    const current = periodContaining(this.today(family), family.monthStartDay);
    const periods = Array.from({ length: months }, (_, i) =>
      shiftPeriod(current, i - months + 1, family.monthStartDay),
    );
    const rows: { period: string; kind: string; currency: string; total: string }[] = await this.em.execute(
      `select ${periodKeySql('occurred_on')} as period, kind, currency, sum(amount)::text as total
         from ledger_transaction
        where family_id = ? and kind in ('income', 'expense') and occurred_on between ? and ?
        group by 1, 2, 3`,
      [family.monthStartDay, family.id, periods[0]!.start, current.end],
    );
    const rates = await RateBook.load(this.em, family.id, current.end);
    const missing = new Set<string>();
    const totals = new Map<string, { income: bigint; expense: bigint }>();
    for (const row of rows) {
      const converted = rates.convert(BigInt(row.total), row.currency, family.baseCurrency);
      if (converted === null) {
        missing.add(row.currency);
        continue;
      }
      const entry = totals.get(row.period) ?? { income: 0n, expense: 0n };
      if (row.kind === 'income') entry.income += converted;
      else entry.expense += converted;
      totals.set(row.period, entry);
    }
    return {
      months: periods.map((p) => {
        const { income, expense } = totals.get(p.key) ?? { income: 0n, expense: 0n };
        return {
          period: { start: p.start, end: p.end },
          income: new Amount(income, family.baseCurrency),
          expense: new Amount(expense, family.baseCurrency),
          net: new Amount(income - expense, family.baseCurrency),
        };
      }),
      missingRates: [...missing].sort(),
    };
  }

  /**
   * The next `months` budget months from the family's schedules: what they are expected to bring and
   * take each month, and where the balance of all accounts ends up. Amounts are converted at the latest
   * rates known today (nobody knows tomorrow's); approximate ones count at the middle of their range.
   */
  async cashFlowForecast(familyId: string | null | undefined, months: number): Promise<CashFlowForecast> {
    if (!Number.isInteger(months) || months < 1 || months > MAX_FORECAST_MONTHS)
      throw badInput('months', `Months must be 1 to ${MAX_FORECAST_MONTHS}.`);
    const family = await this.family(familyId);
    const today = this.today(family);
    const first = periodContaining(today, family.monthStartDay);
    const periods = Array.from({ length: months }, (_, i) => shiftPeriod(first, i, family.monthStartDay));
    const worth = await this.balances(family);
    const items = await this.schedules.upcomingUntil(family.id, periods.at(-1)!.end);
    const rates = worth.rates;
    const missing = new Set(worth.missing);
    const totals = periods.map(() => ({ income: 0n, expense: 0n }));
    for (const { schedule, occursOn } of items) {
      const converted = rates.convert(expectedAmount(schedule), schedule.currency, family.baseCurrency);
      if (converted === null) {
        missing.add(schedule.currency);
        continue;
      }
      // A due ask-first occurrence still waiting (it may be older than this month) is expected now.
      const index = Math.max(
        0,
        periods.findIndex((p) => occursOn <= p.end),
      );
      if (schedule.kind === ScheduleKind.INCOME) totals[index]!.income += converted;
      else totals[index]!.expense += converted;
    }
    const base = family.baseCurrency;
    let balance = worth.total;
    return {
      startingBalance: new Amount(balance, base),
      months: periods.map((p, i) => {
        const { income, expense } = totals[i]!;
        balance += income - expense;
        return {
          period: { start: p.start, end: p.end },
          income: new Amount(income, base),
          expense: new Amount(expense, base),
          net: new Amount(income - expense, base),
          projectedBalance: new Amount(balance, base),
        };
      }),
      missingRates: [...missing].sort(),
    };
  }

  async netWorth(familyId: string | null | undefined): Promise<NetWorth> {
    const family = await this.family(familyId);
    const { rows, total, missing } = await this.balances(family);
    return {
      byCurrency: rows.map((r) => new Amount(BigInt(r.total), r.currency)),
      total: new Amount(total, family.baseCurrency),
      missingRates: missing,
    };
  }

  /** The family's balances per currency, and their total in the base currency at today's rates. */
  private async balances(family: FamilySettings) {
    const rows: { currency: string; total: string }[] = await this.em.execute(
      `select currency, sum(balance)::text as total from account where family_id = ? group by currency order by currency`,
      [family.id],
    );
    const rates = await RateBook.load(this.em, family.id, this.today(family));
    const missing: string[] = [];
    let total = 0n;
    for (const row of rows) {
      const converted = rates.convert(BigInt(row.total), row.currency, family.baseCurrency);
      if (converted === null) missing.push(row.currency);
      else total += converted;
    }
    return { rows, total, missing, rates };
  }

  async spendingByMember(
    familyId: string | null | undefined,
    from?: string | null,
    to?: string | null,
  ): Promise<MemberSpendingReport> {
    const family = await this.family(familyId);
    const period = this.range(family, from, to);
    // Each payer's user comes with their sums: the same row for each of their currencies.
    const rows = await this.em.execute<(Row & { currency: string; spent: string })[]>(
      `select s.currency, s.spent, ${USER.select('u', 'u_')}
         from (select paid_by_id, currency, sum(amount)::text as spent
                 from ledger_transaction
                where family_id = ? and kind = 'expense' and occurred_on between ? and ?
                group by 1, 2) s
         join app_user u on u.id = s.paid_by_id`,
      [family.id, period.start, period.end],
    );
    const rates = await RateBook.load(this.em, family.id, period.end);
    const missing = new Set<string>();
    const byUser = new Map<string, bigint>();
    const users = new Map(rows.map((row) => [row.u_id as string, USER.read(row, 'u_')]));
    for (const row of rows) {
      const converted = rates.convert(BigInt(row.spent), row.currency, family.baseCurrency);
      if (converted === null) missing.add(row.currency);
      else byUser.set(row.u_id as string, (byUser.get(row.u_id as string) ?? 0n) + converted);
    }
    return {
      period,
      members: [...byUser.entries()]
        .sort((a, b) => (a[1] === b[1] ? 0 : a[1] > b[1] ? -1 : 1))
        .map(([id, spent]) => ({ user: users.get(id)!, spent: new Amount(spent, family.baseCurrency) })),
      missingRates: [...missing].sort(),
    };
  }

  private async family(familyId: string | null | undefined): Promise<FamilySettings> {
    return this.access.settings(await this.access.family(familyId));
  }

  private today(family: FamilySettings): string {
    return localDate(this.deps.clock.now(), family.timeZone);
  }

  /** The given days, or the budget month containing `from` (default: the current one). */
  private range(
    family: FamilySettings,
    from?: string | null,
    to?: string | null,
  ): { start: string; end: string } {
    const start = from == null ? null : parseLocalDate(from, 'from');
    if (to == null) {
      const period = periodContaining(start ?? this.today(family), family.monthStartDay);
      return { start: period.start, end: period.end };
    }
    const end = parseLocalDate(to, 'to');
    const first = start ?? periodContaining(end, family.monthStartDay).start;
    if (first > end) throw badInput('to', '`to` must not be before `from`.');
    // Both ends count: `first` plus 365 days is the 366th day covered.
    if (addDays(first, MAX_RANGE_DAYS - 1) < end)
      throw badInput('to', `A report covers at most ${MAX_RANGE_DAYS} days.`);
    return { start: first, end };
  }
}
