import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { FamilySettings } from '../auth/caller.js';
import { childrenByParent } from '../category/category.read.js';
import { familyIdFromTrustedRow, type FamilyId } from '../family/family-id.js';
import { budgetStatuses } from './budget-status.js';
import { readCategoriesAndBudgets } from './budget.read.js';
import { periodContaining } from './period.js';
import type { BudgetAlertEvent, LiveEvents } from '../live/live-events.js';
import type { NotificationKind } from '../notification/notification-kind.js';

export const ALERT_THRESHOLDS = [80, 100] as const;

/**
 * Budget alerts are evaluated after the expense that may cross a threshold has committed, from an outbox
 * row (`budget_alert_check`) the expense wrote in its own database transaction: the request pays one row,
 * not the spending aggregate. It stays this small queue rather than moving onto the durable job queue
 * (src/jobs): the row is written by the same statement that records the expense, which a job queue's API
 * cannot join without writing into its tables by hand, and sending a job after the commit would lose the
 * check on a crash in between. Being rows claimed with SKIP LOCKED, it already survives restarts and is
 * worked once across processes.
 */

/**
 * The outbox row of an expense, as a data-modifying CTE body for the statement that records the expense
 * (`inserted` must be a CTE of that statement): written only when the row was, and only for a family that
 * has budgets. Parameters: family, day, category, now, family.
 */
export const BUDGET_CHECK_INSERT = `
  insert into budget_alert_check (family_id, occurred_on, category_id, created_at)
  select ?::uuid, ?::date, ?::uuid, ?::timestamptz
   where exists (select from inserted)
     and exists (select from budget b where b.family_id = ?::uuid and not b.archived)`;

export function budgetCheckParams(familyId: FamilyId, day: string, categoryId: string | null, now: Date) {
  return [familyId, day, categoryId, now.toISOString(), familyId];
}

/** Records the outbox row of an expense inside the caller's database transaction (edits). */
export async function enqueueBudgetCheck(
  em: EntityManager,
  familyId: FamilyId,
  day: string,
  categoryId: string | null,
  now: Date,
): Promise<void> {
  await em.execute(
    `with inserted as (select 1) ${BUDGET_CHECK_INSERT}`,
    budgetCheckParams(familyId, day, categoryId, now),
  );
}

/**
 * For every budget that spending in `categories` (null: uncategorised) counts toward, whose spending in
 * the period of `date` has reached 80 % or 100 %, records one notification per member, threshold and
 * period. Run after the expenses committed, so each evaluation sees all spending committed before it:
 * the check of the last expense of a period sees everything, whoever evaluates the others and in which
 * order. The unique dedupe key makes "once" a constraint, however many processes evaluate at once.
 */
export async function recordBudgetAlerts(
  em: EntityManager,
  family: FamilySettings,
  date: string,
  categories: ReadonlySet<string | null>,
  now: Date,
): Promise<RecordedNotification[]> {
  const familyId = family.id;
  const { budgets: all, categories: known } = await readCategoriesAndBudgets(em, family);
  if (all.length === 0) return [];
  const parents = new Set(
    known.flatMap((c) => (categories.has(c.id) && c.parentId !== null ? [c.parentId] : [])),
  );
  // Only budgets this spending counts toward: all spending, its categories, or their parents.
  const budgets = all.filter(
    (b) => b.categoryId === null || categories.has(b.categoryId) || parents.has(b.categoryId),
  );
  if (budgets.length === 0) return [];
  const statuses = await budgetStatuses(em, family, budgets, date, { children: childrenByParent(known) });
  const names = new Map(known.map((c) => [c.id, c.name]));
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
  if (alerts.length === 0) return [];
  // Every member gets each alert once: the dedupe key names budget, period, threshold and member.
  const recorded = await em.execute<RecordedNotification[]>(
    `insert into notification (id, family_id, user_id, kind, payload, dedupe_key, created_at)
     select gen_random_uuid(), m.family_id, m.user_id, 'budget_alert', a.payload, a.key || ':' || m.user_id, ?
       from membership m
      cross join jsonb_to_recordset(?::jsonb) as a(key text, payload jsonb)
      where m.family_id = ?
     on conflict (dedupe_key) do nothing
     returning id, user_id, family_id, kind, payload, created_at`,
    [now.toISOString(), JSON.stringify(alerts), familyId],
  );
  // And each of the family's Telegram groups, once: delivered to the group chat, through the member who
  // connected it (the outbox addresses users). Not told to live subscribers: that member has their own.
  await em.execute(
    `insert into notification (id, family_id, user_id, kind, payload, dedupe_key, created_at)
     select gen_random_uuid(), g.family_id, g.connected_by_id, 'budget_alert',
            a.payload || jsonb_build_object('chatId', g.chat_id::text), a.key || ':group:' || g.chat_id, ?
       from telegram_group g
      cross join jsonb_to_recordset(?::jsonb) as a(key text, payload jsonb)
      where g.family_id = ?
     on conflict (dedupe_key) do nothing`,
    [now.toISOString(), JSON.stringify(alerts), familyId],
  );
  return recorded;
}

/** A notification row just recorded, as live subscribers are told about it. */
export interface RecordedNotification {
  id: string;
  user_id: string;
  family_id: string;
  kind: NotificationKind;
  payload: Record<string, unknown>;
  created_at: Date | string;
}

/**
 * Tells live subscribers, after commit, about the notifications recorded: each to its user, and each
 * alert once to its family (however many members it was recorded for).
 */
export function announceAlerts(live: LiveEvents, recorded: readonly RecordedNotification[]): void {
  const alerts = new Map<string, BudgetAlertEvent>();
  for (const row of recorded) {
    live.publish('notificationAdded', row.user_id, {
      id: row.id,
      userId: row.user_id,
      familyId: row.family_id,
      kind: row.kind,
      payload: row.payload,
      createdAt: new Date(row.created_at).toISOString(),
    });
    const p = row.payload as Omit<BudgetAlertEvent, 'familyId'>;
    alerts.set(`${row.family_id}:${p.budgetId}:${p.periodStart}:${p.threshold}`, {
      familyId: row.family_id,
      budgetId: p.budgetId,
      category: p.category,
      threshold: p.threshold,
      periodStart: p.periodStart,
      periodEnd: p.periodEnd,
      spent: p.spent,
      available: p.available,
      percentUsed: p.percentUsed,
    });
  }
  for (const alert of alerts.values()) live.publish('budgetAlert', alert.familyId, alert);
}

interface CheckRow {
  id: string;
  family_id: string;
  occurred_on: string;
  category_id: string | null;
  base_currency: string;
  month_start_day: number;
  time_zone: string;
}

/** Checks taken per database transaction. */
const BATCH = 100;
/** How often each process looks for checks another process's requests wrote. */
const POLL_MS = 1000;
/** A write in this process is evaluated this soon after it, together with the writes around it. */
const NUDGE_MS = 250;
/** How long a shutdown waits for the batch in progress. */
const STOP_WAIT_MS = 5000;

/**
 * Works off `budget_alert_check` in every API process. A batch is claimed with FOR UPDATE SKIP LOCKED, so
 * two processes never take the same rows, and deleted in the transaction that records its alerts: a
 * crash leaves the rows for the next attempt, and the dedupe key keeps a repeated evaluation harmless.
 * It holds a connection only while a batch runs, never while it waits (the embedded database has one).
 */
export class BudgetAlertWorker {
  private timer: NodeJS.Timeout | undefined;
  private due = Infinity;
  private running: Promise<void> | undefined;
  private started = false;
  private failing = false;

  constructor(
    private readonly orm: Orm,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly live: LiveEvents,
  ) {}

  start(): void {
    this.started = true;
    this.schedule(0);
  }

  /** An expense was recorded here: evaluate soon instead of at the next poll. */
  nudge(): void {
    if (this.started) this.schedule(NUDGE_MS);
  }

  /**
   * Stops polling and waits for the batch in progress, for at most a few seconds: one stuck on a database
   * that no longer answers must not hold the shutdown (its transaction rolls back, its checks stay).
   */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** Takes one batch of checks and records their alerts; returns how many checks it took. */
  async processBatch(): Promise<number> {
    const em = this.orm.em.fork();
    // An idle poll is one statement, outside any transaction.
    const [pending] = await em.execute<{ found: boolean }[]>(
      `select exists (select from budget_alert_check) as found`,
    );
    if (pending?.found !== true) return 0;
    const recorded: RecordedNotification[] = [];
    const taken = await em.transactional(async (tx) => {
      const checks = await tx.execute<CheckRow[]>(
        `select c.id::text as id, c.family_id, c.occurred_on::text as occurred_on, c.category_id,
                f.base_currency, f.month_start_day, f.time_zone
           from budget_alert_check c join family f on f.id = c.family_id
          order by c.id limit ? for update of c skip locked`,
        [BATCH],
      );
      if (checks.length === 0) return 0;
      const now = this.clock.now();
      // One evaluation per family and budget period, for all the categories spent on in it.
      const groups = new Map<
        string,
        { family: FamilySettings; date: string; categories: Set<string | null> }
      >();
      for (const check of checks) {
        const period = periodContaining(check.occurred_on, check.month_start_day).start;
        const key = `${check.family_id}:${period}`;
        let group = groups.get(key);
        if (group === undefined) {
          const family = {
            // The outbox row was written by a request whose family FamilyAccess had checked.
            id: familyIdFromTrustedRow(check.family_id),
            baseCurrency: check.base_currency,
            monthStartDay: check.month_start_day,
            timeZone: check.time_zone,
          };
          group = { family, date: check.occurred_on, categories: new Set() };
          groups.set(key, group);
        }
        group.categories.add(check.category_id);
      }
      for (const key of await this.unannounced(tx, groups)) {
        const { family, date, categories } = groups.get(key)!;
        recorded.push(...(await recordBudgetAlerts(tx, family, date, categories, now)));
      }
      await tx.execute(`delete from budget_alert_check where id = any(?::bigint[])`, [
        `{${checks.map((c) => c.id).join(',')}}`,
      ]);
      return checks.length;
    });
    announceAlerts(this.live, recorded);
    return taken;
  }

  /**
   * The groups (family and period) where some member still lacks some alert of some active budget: once
   * every threshold is announced, the spending of a period need not be summed again.
   */
  private async unannounced(
    em: EntityManager,
    groups: Map<string, { family: FamilySettings; date: string }>,
  ): Promise<string[]> {
    const rows = await em.execute<{ key: string }[]>(
      `select g.key from jsonb_to_recordset(?::jsonb) as g (key text, family_id uuid, period text)
        where exists (
          select from budget b
            join membership m on m.family_id = b.family_id
           cross join unnest(?::int[]) as t (threshold)
           where b.family_id = g.family_id and not b.archived
             and not exists (select from notification n
                              where n.dedupe_key = 'budget:' || b.id || ':' || g.period || ':' || t.threshold
                                                   || ':' || m.user_id))`,
      [
        JSON.stringify(
          [...groups].map(([key, g]) => ({
            key,
            family_id: g.family.id,
            period: periodContaining(g.date, g.family.monthStartDay).start,
          })),
        ),
        `{${ALERT_THRESHOLDS.join(',')}}`,
      ],
    );
    return rows.map((row) => row.key);
  }

  private schedule(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.timer !== undefined && this.due <= due) return;
    clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.due = Infinity;
      void this.run();
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (this.running !== undefined) {
      // A batch is in progress; look again right after it, for what came in meanwhile.
      await this.running;
      if (this.started) this.schedule(0);
      return;
    }
    this.running = (async () => {
      try {
        while (this.started && (await this.processBatch()) === BATCH);
        this.failing = false;
      } catch (error) {
        // Logged once per outage; the rows stay and the next poll tries again.
        if (!this.failing) this.logger.error({ err: error }, 'budget alert check failed');
        this.failing = true;
      }
    })();
    await this.running;
    this.running = undefined;
    if (this.started) this.schedule(POLL_MS);
  }
}
