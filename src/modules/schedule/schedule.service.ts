import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { Deps } from '../../deps.js';
import { addDays, daysBetween, localDate, parseLocalDate } from '../../shared/dates.js';
import { badInput, conflict, notFound } from '../../shared/errors.js';
import { Amount, parseAmount } from '../../shared/money.js';
import { Account } from '../account/account.entity.js';
import type { Principal } from '../auth/auth.service.js';
import { CATEGORIES } from '../category/category.read.js';
import type { FamilyAccess } from '../family/family-access.js';
import type { FamilyId } from '../family/family-id.js';
import { Role } from '../family/family.entity.js';
import { OccurrenceStatus, Schedule, ScheduleKind } from './schedule.entity.js';
import type { CreateScheduleInput, UpdateScheduleInput } from './schedule.inputs.js';
import { SCHEDULES_DUE } from './schedule.jobs.js';
import { claimOccurrence, postOccurrence } from './schedule.occurrence.js';
import { OCCURRENCES, SCHEDULES, type OccurrenceRow, type ScheduleRow } from './schedule.read.js';
import {
  compileRule,
  nextOccurrence,
  occurrencesBetween,
  occursOn,
  type CompiledRule,
} from './schedule.rule.js';
import { UpcomingStatus, type UpcomingTransaction } from './schedule.types.js';

/** How far ahead `upcoming` looks at most. */
export const MAX_UPCOMING_DAYS = 366;
const NOTE_MAX = 500;

/** Recurring transactions: their rules, what is coming up, and the answers to ask-first occurrences. */
export class ScheduleService {
  private loader: DataLoader<string, ScheduleRow | null> | undefined;
  /** `upcoming` per family and horizon, once per request: every budget of a list asks the same. */
  private readonly upcomingMemo = new Map<string, Promise<UpcomingTransaction[]>>();

  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  async list(familyId: string | null | undefined): Promise<ScheduleRow[]> {
    const family = await this.access.family(familyId);
    return this.access.list(SCHEDULES, family, { order: 'x.created_at, x.id' });
  }

  get(id: string): Promise<ScheduleRow> {
    return this.access.row(SCHEDULES, id, 'Schedule');
  }

  /** A schedule of the caller's families by id, batched per request (an occurrence's schedule). */
  async load(id: string): Promise<ScheduleRow | null> {
    this.loader ??= new DataLoader(async (ids) => {
      const found = new Map((await this.access.rows(SCHEDULES, ids)).map((row) => [row.id, row]));
      return ids.map((id) => found.get(id) ?? null);
    });
    return this.loader.load(id);
  }

  async create(principal: Principal, input: CreateScheduleInput): Promise<ScheduleRow> {
    const account = await this.access.load(
      Account,
      input.accountId,
      'Account',
      Role.MEMBER,
      'input.accountId',
    );
    if (account.archived) throw badInput('input.accountId', 'This account is archived.');
    const family = await this.access.settings(account.family.id);
    const categoryId = await this.category(input.categoryId, family.id, input.kind);
    const amount = parseAmount(input.amount, account.currency, 'input.amount');
    const amountMax = this.amountMax(input.amountMax, amount, account.currency);
    const today = localDate(this.deps.clock.now(), family.timeZone);
    const rule = compileRule(input.rule, 'input.rule', today);
    const now = this.deps.clock.now();
    const schedule = this.em.create(Schedule, {
      family: family.id,
      account,
      category: categoryId,
      kind: input.kind,
      amount,
      amountMax,
      currency: account.currency,
      note: note(input.note),
      mode: input.mode,
      rrule: rule.rrule,
      startsOn: rule.startsOn,
      nextOn: firstFrom(rule, today),
      createdBy: principal.userId,
      createdAt: now,
      updatedAt: now,
    });
    await this.em.flush();
    await this.wakeRunner(schedule, today);
    return this.get(schedule.id);
  }

  async update(id: string, input: UpdateScheduleInput): Promise<ScheduleRow> {
    const schedule = await this.access.load(Schedule, id, 'Schedule', Role.MEMBER);
    const family = await this.access.settings(schedule.family.id);
    const today = localDate(this.deps.clock.now(), family.timeZone);
    if (input.amount != null) schedule.amount = parseAmount(input.amount, schedule.currency, 'input.amount');
    if (input.clearAmountMax === true) schedule.amountMax = null;
    if (input.amountMax != null) {
      schedule.amountMax = this.amountMax(input.amountMax, schedule.amount, schedule.currency);
    } else if (schedule.amountMax !== null && schedule.amountMax <= schedule.amount) {
      throw badInput('input.amount', 'The amount must stay below the high end of its range.');
    }
    if (input.note != null) schedule.note = note(input.note);
    if (input.mode != null) schedule.mode = input.mode;
    let reanchor = false;
    if (input.rule != null) {
      const rule = compileRule(input.rule, 'input.rule', today);
      schedule.rrule = rule.rrule;
      schedule.startsOn = rule.startsOn;
      reanchor = true;
    }
    if (input.paused != null && input.paused !== schedule.paused) {
      schedule.paused = input.paused;
      // Resumed: what was missed while paused stays missed.
      reanchor ||= !input.paused;
    }
    if (reanchor) schedule.nextOn = firstFrom({ rrule: schedule.rrule, startsOn: schedule.startsOn }, today);
    schedule.updatedAt = this.deps.clock.now();
    await this.em.flush();
    if (reanchor) await this.wakeRunner(schedule, today);
    return this.get(id);
  }

  async delete(id: string): Promise<string> {
    const schedule = await this.access.load(Schedule, id, 'Schedule', Role.MEMBER);
    await this.em.nativeDelete(Schedule, { id: schedule.id });
    return schedule.id;
  }

  /**
   * Ask-first occurrences that are due and unanswered, then every occurrence of an active schedule from
   * its next one up to `days` days from today, in day order.
   */
  async upcoming(familyId: string | null | undefined, days: number): Promise<UpcomingTransaction[]> {
    if (!Number.isInteger(days) || days < 0 || days > MAX_UPCOMING_DAYS) {
      throw badInput('days', `From 0 to ${MAX_UPCOMING_DAYS} days.`);
    }
    const family = await this.access.family(familyId);
    const key = `${family}:${days}`;
    let found = this.upcomingMemo.get(key);
    if (found === undefined) {
      found = this.upcomingOf(family, days);
      this.upcomingMemo.set(key, found);
    }
    return found;
  }

  /**
   * `upcoming` up to a day that may lie further ahead than `days` allows (a forecast's last month): the
   * caller bounds it.
   */
  async upcomingUntil(family: FamilyId, until: string): Promise<UpcomingTransaction[]> {
    const today = localDate(this.deps.clock.now(), (await this.access.settings(family)).timeZone);
    return this.upcomingOf(family, Math.max(0, daysBetween(today, until)));
  }

  private async upcomingOf(family: FamilyId, days: number): Promise<UpcomingTransaction[]> {
    const today = localDate(this.deps.clock.now(), (await this.access.settings(family)).timeZone);
    const horizon = addDays(today, days);
    const schedules = await this.access.list(SCHEDULES, family, { order: 'x.created_at, x.id' });
    const byId = new Map(schedules.map((s) => [s.id, s]));
    const pending = await this.access.list(OCCURRENCES, family, {
      where: `x.status = 'pending'`,
      order: 'x.occurs_on, x.schedule_id',
    });
    // Occurrences ahead that were answered early (recorded or skipped) are not planned any more.
    const answered = new Set(
      (
        await this.access.list(OCCURRENCES, family, {
          where: `x.occurs_on >= ?::date and x.status <> 'pending'`,
          params: [today],
        })
      ).map((o) => `${o.scheduleId}:${o.occursOn}`),
    );
    const item = (schedule: ScheduleRow, occursOn: string, status: UpcomingStatus): UpcomingTransaction => ({
      schedule,
      occursOn,
      status,
      amount: new Amount(schedule.amount, schedule.currency),
      amountMax: schedule.amountMax === null ? null : new Amount(schedule.amountMax, schedule.currency),
    });
    const planned = schedules.flatMap((schedule) =>
      schedule.paused || schedule.nextOn === null
        ? []
        : occurrencesBetween({ rrule: schedule.rrule, startsOn: schedule.startsOn }, schedule.nextOn, horizon)
            .filter((day) => !answered.has(`${schedule.id}:${day}`))
            .map((day) => item(schedule, day, UpcomingStatus.PLANNED)),
    );
    return [
      ...pending.map((o) => item(byId.get(o.scheduleId)!, o.occursOn, UpcomingStatus.PENDING)),
      ...planned.sort((a, b) => (a.occursOn < b.occursOn ? -1 : a.occursOn > b.occursOn ? 1 : 0)),
    ];
  }

  /**
   * Records an occurrence (ask-first, or any schedule's occurrence ahead of time) as a transaction of the
   * caller. The amount defaults to the schedule's; an approximate one takes any amount within its range.
   */
  async record(
    principal: Principal,
    scheduleId: string,
    day: string,
    amountText: string | null | undefined,
  ): Promise<OccurrenceRow> {
    const schedule = await this.access.load(Schedule, scheduleId, 'Schedule', Role.MEMBER);
    const occursOn = this.answerable(schedule, day);
    let amount = schedule.amount;
    if (amountText != null) {
      amount = parseAmount(amountText, schedule.currency, 'amount');
      if (schedule.amountMax !== null && (amount < schedule.amount || amount > schedule.amountMax)) {
        throw badInput('amount', 'The amount is outside the range of this schedule.');
      }
    }
    const familyId = schedule.family.id;
    const postable = {
      id: schedule.id,
      familyId,
      kind: schedule.kind,
      accountId: schedule.account.id,
      categoryId: schedule.category?.id ?? null,
      currency: schedule.currency,
      note: schedule.note,
    };
    const id = await this.em.transactional(async (em) => {
      const now = this.deps.clock.now();
      const claimed = await claimOccurrence(em, postable, occursOn, OccurrenceStatus.RECORDED, now, true);
      if (claimed === null) throw alreadyAnswered();
      await postOccurrence(this.deps, em, this.access, principal, postable, claimed, occursOn, amount);
      return claimed;
    });
    return this.occurrence(id);
  }

  /** Skips an occurrence (ask-first, or any schedule's occurrence ahead of time): no transaction. */
  async skip(scheduleId: string, day: string): Promise<OccurrenceRow> {
    const schedule = await this.access.load(Schedule, scheduleId, 'Schedule', Role.MEMBER);
    const occursOn = this.answerable(schedule, day);
    const id = await claimOccurrence(
      this.em,
      { id: schedule.id, familyId: schedule.family.id },
      occursOn,
      OccurrenceStatus.SKIPPED,
      this.deps.clock.now(),
      true,
    );
    if (id === null) throw alreadyAnswered();
    return this.occurrence(id);
  }

  private async occurrence(id: string): Promise<OccurrenceRow> {
    const [row] = await this.access.rows(OCCURRENCES, [id]);
    if (row === undefined) throw notFound('Occurrence');
    return row;
  }

  /** The day, when it is an occurrence of the schedule's rule. */
  private answerable(schedule: Schedule, day: string): string {
    const date = parseLocalDate(day, 'occursOn');
    if (!occursOn({ rrule: schedule.rrule, startsOn: schedule.startsOn }, date)) {
      throw badInput('occursOn', 'The schedule does not occur on this day.');
    }
    return date;
  }

  private async category(
    categoryId: string | null | undefined,
    familyId: string,
    kind: ScheduleKind,
  ): Promise<string | null> {
    if (categoryId == null) return null;
    const [category] = await this.access.rows(CATEGORIES, [categoryId]);
    if (category === undefined || category.familyId !== familyId)
      throw notFound('Category', 'input.categoryId');
    if (category.kind !== (kind === ScheduleKind.INCOME ? 'income' : 'expense')) {
      throw badInput(
        'input.categoryId',
        `Pick an ${kind === ScheduleKind.INCOME ? 'income' : 'expense'} category.`,
      );
    }
    return category.id;
  }

  private amountMax(value: string | null | undefined, amount: bigint, currency: string): bigint | null {
    if (value == null) return null;
    const max = parseAmount(value, currency, 'input.amountMax');
    if (max <= amount) throw badInput('input.amountMax', 'The high end must be above the amount.');
    return max;
  }

  /** A schedule due today is handled now, not at the next minute's tick. */
  private async wakeRunner(schedule: Schedule, today: string): Promise<void> {
    if (schedule.paused || schedule.nextOn === null || schedule.nextOn > today) return;
    await this.deps.jobs?.send(SCHEDULES_DUE, { scheduleId: schedule.id });
  }
}

/**
 * What an occurrence is expected to cost or bring: the amount, or the midpoint of an approximate one's
 * range (rounded down to whole minor units), so that plans and forecasts neither hope nor fear the most.
 */
export const expectedAmount = (schedule: Pick<ScheduleRow, 'amount' | 'amountMax'>): bigint =>
  schedule.amountMax === null ? schedule.amount : (schedule.amount + schedule.amountMax) / 2n;

/** The first occurrence from today (or the start, when later): nothing before creation is posted. */
const firstFrom = (rule: CompiledRule, today: string): string | null =>
  nextOccurrence(rule, rule.startsOn > today ? rule.startsOn : today);

function note(value: string | null | undefined): string | null {
  const text = value?.trim() || null;
  if (text !== null && text.length > NOTE_MAX)
    throw badInput('input.note', `At most ${NOTE_MAX} characters.`);
  return text;
}

const alreadyAnswered = () => conflict('This occurrence has already been recorded or skipped.', 'occursOn');
