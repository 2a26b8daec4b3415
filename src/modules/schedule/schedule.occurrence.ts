import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { formatAmount } from '../../shared/money.js';
import type { Principal } from '../auth/auth.service.js';
import type { FamilyAccess } from '../family/family-access.js';
import { TransactionKind } from '../transaction/transaction.entity.js';
import { TransactionWriter } from '../transaction/transaction.writer.js';
import { OccurrenceStatus, ScheduleKind } from './schedule.entity.js';

/** What posting an occurrence needs to know of its schedule. */
export interface PostableSchedule {
  id: string;
  familyId: string;
  kind: ScheduleKind;
  accountId: string;
  categoryId: string | null;
  currency: string;
  note: string | null;
}

/** The idempotency key of the transaction an occurrence records: a retry finds the first one. */
export const occurrenceKey = (scheduleId: string, day: string) => `schedule:${scheduleId}:${day}`;

/**
 * Claims an occurrence inside the caller's database transaction: inserts its row with `status`, or, when a
 * pending row exists and `fromPending` is set, turns that into `status`. Returns the row's id, or null when
 * the occurrence was already handled (the unique (schedule, day) pair decides, whichever process asks).
 */
export async function claimOccurrence(
  em: EntityManager,
  schedule: Pick<PostableSchedule, 'id' | 'familyId'>,
  day: string,
  status: OccurrenceStatus,
  now: Date,
  fromPending = false,
): Promise<string | null> {
  const resolved = status === OccurrenceStatus.PENDING ? null : now.toISOString();
  const [row] = await em.execute<{ id: string }[]>(
    `insert into schedule_occurrence (id, schedule_id, family_id, occurs_on, status, created_at, resolved_at)
     values (?, ?, ?, ?, ?, ?, ?)
     on conflict (schedule_id, occurs_on) do ${
       fromPending
         ? `update set status = excluded.status, resolved_at = excluded.resolved_at
             where schedule_occurrence.status = 'pending'`
         : 'nothing'
     }
     returning id`,
    [randomUUID(), schedule.id, schedule.familyId, day, status, now.toISOString(), resolved],
  );
  return row?.id ?? null;
}

/**
 * Records the occurrence's transaction through the ledger's writer (balances, budget-alert outbox and
 * idempotency as for any create), in `em`'s database transaction, and links it to the occurrence row.
 */
export async function postOccurrence(
  deps: Deps,
  em: EntityManager,
  access: FamilyAccess,
  principal: Principal,
  schedule: PostableSchedule,
  occurrenceId: string,
  day: string,
  amount: bigint,
): Promise<string> {
  const writer = new TransactionWriter(deps, em, access);
  const transaction = await writer.create(principal, {
    kind: schedule.kind === ScheduleKind.INCOME ? TransactionKind.INCOME : TransactionKind.EXPENSE,
    amount: formatAmount(amount, schedule.currency),
    accountId: schedule.accountId,
    categoryId: schedule.categoryId,
    occurredOn: day,
    note: schedule.note,
    idempotencyKey: occurrenceKey(schedule.id, day),
  });
  await em.execute(`update schedule_occurrence set transaction_id = ? where id = ?`, [
    transaction.id,
    occurrenceId,
  ]);
  return transaction.id;
}
