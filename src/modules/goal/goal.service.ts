import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidArray } from '../../db/sql.js';
import type { Deps } from '../../deps.js';
import { dayOrToday, localDate, parseLocalDate } from '../../shared/dates.js';
import { badInput, notFound } from '../../shared/errors.js';
import { Amount, parseAmount, parseCurrency, percentOf } from '../../shared/money.js';
import { Account } from '../account/account.entity.js';
import type { Principal } from '../auth/auth.service.js';
import { normalizeName } from '../auth/auth.validation.js';
import { isUuid, type FamilyAccess } from '../family/family-access.js';
import { Family, Role } from '../family/family.entity.js';
import { ACCOUNTS } from '../account/account.read.js';
import { Goal, GoalContribution } from './goal.entity.js';
import { CONTRIBUTIONS, GOALS, type GoalRow } from './goal.read.js';
import type { ContributeToGoalInput, CreateGoalInput, GoalStatus, UpdateGoalInput } from './goal.inputs.js';

/** Savings goals: a target, an optional deadline, progress from contributions or a linked account. */
export class GoalService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  async list(familyId: string | null | undefined, includeArchived: boolean): Promise<GoalStatus[]> {
    const family = await this.access.family(familyId);
    const goals = await this.access.list(GOALS, family, {
      where: includeArchived ? 'true' : 'not x.archived',
      order: 'x.created_at',
    });
    return this.statuses(family, goals);
  }

  async get(id: string): Promise<GoalStatus> {
    const goal = await this.access.row(GOALS, id, 'Goal');
    return (await this.statuses(goal.familyId, [goal]))[0]!;
  }

  async create(input: CreateGoalInput): Promise<GoalStatus> {
    const family = await this.em.findOneOrFail(
      Family,
      await this.access.family(input.familyId, Role.MEMBER, 'input.familyId'),
    );
    let account: Account | null = null;
    if (input.accountId != null) {
      account = isUuid(input.accountId)
        ? await this.em.findOne(Account, { id: input.accountId, family })
        : null;
      if (account === null) throw notFound('Account', 'input.accountId');
    }
    const currency = parseCurrency(
      input.currency ?? account?.currency ?? family.baseCurrency,
      'input.currency',
    );
    if (account !== null && account.currency !== currency) {
      throw badInput('input.currency', `The linked account is in ${account.currency}.`);
    }
    const goal = this.em.create(Goal, {
      family,
      name: goalName(input.name),
      target: parseAmount(input.target, currency, 'input.target'),
      currency,
      deadline: input.deadline == null ? null : parseLocalDate(input.deadline, 'input.deadline'),
      account,
      createdAt: this.deps.clock.now(),
    });
    await this.em.flush();
    return this.get(goal.id);
  }

  async update(id: string, input: UpdateGoalInput): Promise<GoalStatus> {
    const goal = await this.access.load(Goal, id, 'Goal', Role.MEMBER);
    if (input.name != null) goal.name = goalName(input.name);
    if (input.target != null) goal.target = parseAmount(input.target, goal.currency, 'input.target');
    if (input.deadline != null) goal.deadline = parseLocalDate(input.deadline, 'input.deadline');
    if (input.clearDeadline === true) goal.deadline = null;
    if (input.archived != null) goal.archived = input.archived;
    await this.em.flush();
    return this.get(id);
  }

  /** Returns the deleted id, for client caches to evict. */
  async delete(id: string): Promise<string> {
    const goal = await this.access.load(Goal, id, 'Goal', Role.MEMBER);
    await this.em.nativeDelete(Goal, { id: goal.id });
    return goal.id;
  }

  async contribute(principal: Principal, input: ContributeToGoalInput): Promise<GoalStatus> {
    const goal = await this.access.load(Goal, input.goalId, 'Goal', Role.MEMBER, 'input.goalId');
    if (goal.account !== null) {
      throw badInput(
        'input.goalId',
        'This goal follows its linked account: transfer money into that account instead.',
      );
    }
    const family = await this.em.findOneOrFail(Family, goal.family.id);
    const note = input.note?.trim() || null;
    if (note !== null && note.length > 500) throw badInput('input.note', 'At most 500 characters.');
    this.em.create(GoalContribution, {
      goal,
      family,
      amount: parseAmount(input.amount, goal.currency, 'input.amount', { allowNegative: true }),
      occurredOn: dayOrToday(input.occurredOn, 'input.occurredOn', this.deps.clock.now(), family.timeZone),
      note,
      createdBy: principal.userId,
      createdAt: this.deps.clock.now(),
    });
    await this.em.flush();
    return this.get(goal.id);
  }

  private async statuses(familyId: string, goals: GoalRow[]): Promise<GoalStatus[]> {
    if (goals.length === 0) return [];
    const family = await this.access.settings(familyId);
    const today = localDate(this.deps.clock.now(), family.timeZone);
    const contributions = await this.access.list(CONTRIBUTIONS, family.id, {
      where: 'x.goal_id = any(?::uuid[])',
      params: [uuidArray(goals.map((g) => g.id))],
      order: 'x.occurred_on desc, x.created_at desc',
    });
    const accountIds = goals.flatMap((g) => (g.accountId === null ? [] : [g.accountId]));
    const accounts = new Map((await this.access.rows(ACCOUNTS, accountIds)).map((a) => [a.id, a]));
    return goals.map((goal) => {
      const own = contributions.filter((c) => c.goalId === goal.id);
      const saved =
        goal.accountId !== null
          ? (accounts.get(goal.accountId)?.balance ?? 0n)
          : own.reduce((sum, c) => sum + c.amount, 0n);
      const remaining = saved >= goal.target ? 0n : goal.target - saved;
      const monthsLeft = goal.deadline === null ? null : wholeMonthsLeft(today, goal.deadline);
      return {
        goal,
        saved: new Amount(saved, goal.currency),
        remaining: new Amount(remaining, goal.currency),
        percentComplete: percentOf(saved < 0n ? 0n : saved, goal.target),
        monthsLeft,
        monthlyNeeded:
          monthsLeft === null ? null : new Amount(ceilDiv(remaining, BigInt(monthsLeft)), goal.currency),
        contributions: own.map((c) => ({
          id: c.id,
          amount: new Amount(c.amount, goal.currency),
          occurredOn: c.occurredOn,
          note: c.note,
        })),
      };
    });
  }
}

/** Whole months from `today` to `deadline` (both YYYY-MM-DD), at least 1: a past deadline wants it all now. */
export function wholeMonthsLeft(today: string, deadline: string): number {
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  const [dy, dm, dd] = deadline.split('-').map(Number) as [number, number, number];
  const months = (dy - ty) * 12 + (dm - tm) - (dd < td ? 1 : 0);
  return Math.max(1, months);
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

function goalName(value: string): string {
  const name = normalizeName(value, 'input.name', true)!;
  if (name.length > 100) throw badInput('input.name', 'Name must be at most 100 characters.');
  return name;
}
