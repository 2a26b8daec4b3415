import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { addDays, localDate } from '../../shared/dates.js';
import { Amount } from '../../shared/money.js';
import type { Caller, FamilySettings } from '../auth/caller.js';
import { FamilyAccess } from '../family/family-access.js';
import { familyIdFromTrustedRow } from '../family/family-id.js';
import { Role } from '../family/family.entity.js';
import { OccurrenceStatus, ScheduleMode, type ScheduleKind } from './schedule.entity.js';
import { claimOccurrence, postOccurrence, type PostableSchedule } from './schedule.occurrence.js';
import { nextOccurrence, occurrencesBetween } from './schedule.rule.js';

interface DueRow {
  id: string;
  family_id: string;
  kind: ScheduleKind;
  amount: string;
  amount_max: string | null;
  currency: string;
  note: string | null;
  mode: ScheduleMode;
  rrule: string;
  starts_on: string;
  next_on: string;
  account_id: string;
  category_id: string | null;
  base_currency: string;
  month_start_day: number;
  time_zone: string;
  actor_id: string | null;
}

/**
 * Works off the occurrences that are due: every schedule whose `next_on` is today or earlier in its
 * family's time zone, each occurrence from there to today (so a process that was down catches up), then
 * moves `next_on` past today. One schedule per database transaction, claimed FOR UPDATE SKIP LOCKED, so
 * processes running at once take different schedules; the unique (schedule, day) occurrence row and the
 * transaction's idempotency key make a repeated run record nothing twice, whatever crashed where.
 */
export class ScheduleRunner {
  constructor(private readonly deps: Deps) {}

  /**
   * Handles every due occurrence (of one schedule, when given); returns how many it handled. A schedule
   * that fails (one whose transaction the ledger now refuses, say) is left for the next run and does not hold up the others;
   * the run then fails, so the job is retried with backoff and a lasting failure is logged as dead.
   */
  async runDue(scheduleId?: string): Promise<number> {
    let handled = 0;
    const failed: string[] = [];
    let lastError: unknown;
    for (;;) {
      let claimed: string | undefined;
      try {
        const done = await this.deps.orm.em
          .fork()
          .transactional((em) =>
            this.runOne(em as EntityManager, scheduleId, failed, (id) => (claimed = id)),
          );
        if (done === null) break;
        handled += done;
      } catch (error) {
        if (claimed === undefined) throw error;
        failed.push(claimed);
        lastError = error;
        this.deps.logger.warn({ err: error, scheduleId: claimed }, 'scheduled occurrence failed');
      }
    }
    if (failed.length > 0) {
      throw new Error(`schedules failed: ${failed.join(', ')}`, { cause: lastError });
    }
    return handled;
  }

  /** Claims one due schedule and handles its due occurrences; null when none is due. */
  private async runOne(
    em: EntityManager,
    scheduleId: string | undefined,
    skip: string[],
    claimed: (id: string) => void,
  ): Promise<number | null> {
    const now = this.deps.clock.now();
    // No family's today is later than the UTC date plus one: the indexed bound, before each family's own.
    const latest = addDays(now.toISOString().slice(0, 10), 1);
    const [row] = await em.execute<DueRow[]>(
      `select s.id, s.family_id, s.kind, s.amount::text as amount, s.amount_max::text as amount_max, s.currency,
              s.note, s.mode, s.rrule, s.starts_on::text as starts_on, s.next_on::text as next_on, s.account_id,
              s.category_id, f.base_currency, f.month_start_day, f.time_zone,
              coalesce(
                (select m.user_id from membership m
                  where m.family_id = s.family_id and m.user_id = s.created_by_id and m.role <> 'viewer'),
                (select m.user_id from membership m
                  where m.family_id = s.family_id and m.role = 'owner' order by m.user_id limit 1)
              ) as actor_id
         from schedule s join family f on f.id = s.family_id
        where not s.paused and s.next_on is not null and s.next_on <= ?::date
          and s.next_on <= (?::timestamptz at time zone f.time_zone)::date
          and s.id <> all(?::uuid[])
          ${scheduleId === undefined ? '' : 'and s.id = ?'}
        order by s.next_on, s.id
        limit 1
        for update of s skip locked`,
      [latest, now.toISOString(), `{${skip.join(',')}}`, ...(scheduleId === undefined ? [] : [scheduleId])],
    );
    if (row === undefined) return null;
    claimed(row.id);
    const today = localDate(now, row.time_zone);
    const rule = { rrule: row.rrule, startsOn: row.starts_on };
    const days = occurrencesBetween(rule, row.next_on, today);
    const schedule: PostableSchedule = {
      id: row.id,
      familyId: row.family_id,
      kind: row.kind,
      accountId: row.account_id,
      categoryId: row.category_id,
      currency: row.currency,
      note: row.note,
    };
    for (const day of days) {
      if (row.mode === ScheduleMode.AUTO_POST) await this.post(em, row, schedule, day, now);
      else await this.ask(em, row, day, now);
    }
    await em.execute(`update schedule set next_on = ? where id = ?`, [
      nextOccurrence(rule, addDays(today, 1)),
      row.id,
    ]);
    if (days.length > 0) {
      this.deps.logger.info({ scheduleId: row.id, occurrences: days }, 'scheduled occurrences handled');
    }
    return days.length;
  }

  private async post(em: EntityManager, row: DueRow, schedule: PostableSchedule, day: string, now: Date) {
    const occurrence = await claimOccurrence(em, schedule, day, OccurrenceStatus.POSTED, now);
    if (occurrence === null) return; // recorded or skipped already
    if (row.actor_id === null) throw new Error(`family ${row.family_id} has no owner to post for`);
    const family: FamilySettings = {
      id: familyIdFromTrustedRow(row.family_id),
      baseCurrency: row.base_currency,
      monthStartDay: row.month_start_day,
      timeZone: row.time_zone,
    };
    const principal = { userId: row.actor_id, sessionId: '' };
    await postOccurrence(
      this.deps,
      em,
      new FamilyAccess(em, actingMember(principal.userId, family)),
      principal,
      schedule,
      occurrence,
      day,
      BigInt(row.amount),
    );
  }

  /** Records the occurrence as pending and tells every member who may record it. */
  private async ask(em: EntityManager, row: DueRow, day: string, now: Date) {
    const occurrence = await claimOccurrence(
      em,
      { id: row.id, familyId: row.family_id },
      day,
      OccurrenceStatus.PENDING,
      now,
    );
    if (occurrence === null) return;
    const payload = {
      scheduleId: row.id,
      occurrenceId: occurrence,
      occursOn: day,
      kind: row.kind,
      amount: new Amount(BigInt(row.amount), row.currency),
      amountMax: row.amount_max === null ? null : new Amount(BigInt(row.amount_max), row.currency),
      note: row.note,
      // The bot tells "due today" from a late catch-up by the family's day, not its own.
      timeZone: row.time_zone,
    };
    await em.execute(
      `insert into notification (id, family_id, user_id, kind, payload, dedupe_key, created_at)
       select gen_random_uuid(), m.family_id, m.user_id, 'schedule_due', ?::jsonb, ? || ':' || m.user_id, ?
         from membership m
        where m.family_id = ? and m.role <> 'viewer'
       on conflict (dedupe_key) do nothing`,
      [JSON.stringify(payload), `schedule:${row.id}:${day}`, now.toISOString(), row.family_id],
    );
  }
}

/**
 * The runner posts as the member who created the schedule (or, once they have left, the owner), with a
 * member's rights in that one family and no session: the writer checks the rest as for any create.
 */
function actingMember(userId: string, family: FamilySettings): Caller {
  return {
    userId,
    sessionId: '',
    roles: new Map([[family.id, Role.MEMBER]]),
    families: new Map([[family.id, family]]),
    defaultFamilyId: family.id,
    sessionExpiresAt: new Date(8.64e15),
  };
}
