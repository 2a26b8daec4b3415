import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Row } from '../../db/rows.js';
import type { Deps } from '../../deps.js';
import { localDate } from '../../shared/dates.js';
import { badInput, notFound } from '../../shared/errors.js';
import { applyBalanceDeltas } from '../account/account.service.js';
import type { Principal } from '../auth/auth.service.js';
import { BUDGET_CHECK_INSERT, budgetCheckParams, enqueueBudgetCheck } from '../budget/budget-alerts.js';
import type { FamilyAccess } from '../family/family-access.js';
import { LiveEvents, type ChangeKind } from '../live/live-events.js';
import type { FamilyId } from '../family/family-id.js';
import { Role } from '../family/family.entity.js';
import { balanceEffects, balanceMoves, difference, effectsOf } from './transaction.balances.js';
import { LedgerTransaction, TransactionKind } from './transaction.entity.js';
import { assertSameRequest, fingerprint, idempotencyKey } from './transaction.idempotency.js';
import type { CreateTransactionInput, UpdateTransactionInput } from './transaction.inputs.js';
import { selectTransactions, transactionFromRow, type TransactionRow } from './transaction.read.js';
import {
  readDraftFacts,
  validateDraft,
  type Draft,
  type DraftFacts,
  type Resolved,
} from './transaction.validation.js';

/**
 * Create, update and delete of ledger rows. Every write changes the row and the balances it touches
 * atomically, so a balance always equals opening balance + the sum of its transactions. A create is two
 * statements after the caller's: one reads everything the draft refers to, one records the row, moves the
 * balances and writes the budget-alert outbox row (it is its own database transaction).
 */
export class TransactionWriter {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  async create(principal: Principal, input: CreateTransactionInput): Promise<TransactionRow> {
    const key = idempotencyKey(input.idempotencyKey);
    const draft: Draft = {
      kind: input.kind,
      amount: input.amount,
      accountId: input.accountId,
      toAccountId: input.toAccountId ?? null,
      toAmount: input.toAmount ?? null,
      categoryId: input.categoryId ?? null,
      occurredOn: input.occurredOn ?? null,
      note: input.note ?? null,
      tags: input.tags ?? [],
      paidById: input.paidById ?? principal.userId,
    };
    const facts = await readDraftFacts(this.em, {
      families: [...(await this.access.memberships()).keys()],
      draft,
      callerId: principal.userId,
      idempotencyKey: key,
    });
    // Another family's account is NOT_FOUND, as if it did not exist (A2); then the role is checked (A3).
    if (facts.account === null) throw notFound('Account', 'input.accountId');
    const familyId = await this.access.family(facts.account.familyId, Role.MEMBER);
    const now = this.deps.clock.now();
    const tx = await this.validate(draft, facts, now);
    const print = fingerprint(draft, tx);
    if (facts.existing !== null) {
      assertSameRequest(facts.existing.fingerprint, print);
      return this.readBack(facts.existing.id, familyId);
    }
    const id = randomUUID();
    const written = await this.insert(id, tx, principal.userId, key, print, now);
    if (written === null) {
      // A concurrent retry with the same key recorded it first: answer as a retry after it would.
      const [winner] = await this.em.execute<{ id: string; fingerprint: string | null }[]>(
        `select id, idempotency_fingerprint as fingerprint from ledger_transaction
          where family_id = ? and idempotency_key = ?`,
        [familyId, key],
      );
      assertSameRequest(winner!.fingerprint, print);
      return this.readBack(winner!.id, familyId);
    }
    if (tx.kind === TransactionKind.EXPENSE) this.deps.budgetAlerts.nudge();
    this.announce(familyId, id, 'CREATED', [...written.balances.keys()]);
    // The rows were read by this request for this write: they take their new balances in place (a copy
    // would lose the read layer's lazily parsed fields, such as createdAt).
    const withBalance = <T extends { id: string; balance: bigint }>(account: T): T => {
      const balance = written.balances.get(account.id);
      if (balance !== undefined) account.balance = balance;
      return account;
    };
    // Everything the answer shows is known by now: nothing is read back.
    return {
      id,
      seq: written.seq,
      kind: tx.kind,
      occurredOn: tx.occurredOn,
      note: tx.note,
      tags: tx.tags,
      createdAt: now,
      updatedAt: now,
      amount: tx.amount,
      currency: tx.currency,
      toAmount: tx.toAmount,
      toCurrency: tx.toCurrency,
      account: withBalance(facts.account),
      toAccount: tx.toAccount === null ? null : withBalance(facts.toAccount!),
      category: tx.category === null ? null : facts.category,
      createdBy: facts.createdBy,
      paidBy: facts.paidBy,
    };
  }

  async update(id: string, input: UpdateTransactionInput): Promise<TransactionRow> {
    const current = await this.access.load(LedgerTransaction, id, 'Transaction', Role.MEMBER);
    const familyId = await this.access.family(current.family.id, Role.MEMBER);
    let expense: Resolved | undefined;
    const accounts = new Set<string>();
    await this.em.transactional(async (em) => {
      const tx = await em.findOne(LedgerTransaction, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (tx === null) throw notFound('Transaction'); // deleted meanwhile
      const before = effectsOf(tx);
      accounts.add(tx.account.id);
      if (tx.toAccount !== null) accounts.add(tx.toAccount.id);
      const kind = input.kind ?? tx.kind;
      const accountId = input.accountId ?? tx.account.id;
      const toAccountId =
        kind === TransactionKind.TRANSFER ? (input.toAccountId ?? tx.toAccount?.id ?? null) : null;
      const draft: Draft = {
        kind,
        amount: input.amount ?? (accountId === tx.account.id ? tx.amount : missingAmount('input.amount')),
        accountId,
        toAccountId,
        // The amount that arrived carries over only across currencies; within one it follows `amount`.
        toAmount:
          kind !== TransactionKind.TRANSFER
            ? null
            : (input.toAmount ??
              (toAccountId === tx.toAccount?.id && tx.toCurrency !== tx.currency ? tx.toAmount : null)),
        categoryId: input.clearCategory === true ? null : (input.categoryId ?? tx.category?.id ?? null),
        occurredOn: input.occurredOn ?? tx.occurredOn,
        note: input.note ?? tx.note,
        tags: input.tags ?? tx.tags,
        paidById: input.paidById ?? tx.paidBy.id,
      };
      const facts = await readDraftFacts(em, {
        families: [familyId],
        draft,
        callerId: this.access.userId,
        idempotencyKey: null,
      });
      const now = this.deps.clock.now();
      const resolved = await this.validate(draft, facts, now);
      em.assign(tx, {
        kind: resolved.kind,
        amount: resolved.amount,
        currency: resolved.currency,
        account: resolved.account,
        toAccount: resolved.toAccount,
        toAmount: resolved.toAmount,
        toCurrency: resolved.toCurrency,
        category: resolved.category,
        occurredOn: resolved.occurredOn,
        note: resolved.note,
        tags: resolved.tags,
        paidBy: resolved.paidBy,
        updatedAt: now,
      });
      await em.flush();
      accounts.add(tx.account.id);
      if (tx.toAccount !== null) accounts.add(tx.toAccount.id);
      await applyBalanceDeltas(em, difference(before, effectsOf(tx)));
      if (resolved.kind === TransactionKind.EXPENSE) {
        await enqueueBudgetCheck(em, familyId, resolved.occurredOn, resolved.category, now);
        expense = resolved;
      }
    });
    if (expense !== undefined) this.deps.budgetAlerts.nudge();
    this.announce(familyId, id, 'UPDATED', [...accounts]);
    return this.readBack(id, familyId);
  }

  async delete(id: string): Promise<string> {
    const found = await this.access.load(LedgerTransaction, id, 'Transaction', Role.MEMBER);
    const familyId = await this.access.family(found.family.id, Role.MEMBER);
    const accounts = await this.em.transactional(async (em) => {
      const tx = await em.findOne(LedgerTransaction, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (tx === null) return null; // deleted concurrently: its effects are already gone
      const reverse = difference(effectsOf(tx));
      await em.nativeDelete(LedgerTransaction, { id });
      await applyBalanceDeltas(em, reverse);
      return tx.toAccount === null ? [tx.account.id] : [tx.account.id, tx.toAccount.id];
    });
    this.em.clear();
    if (accounts !== null) this.announce(familyId, id, 'DELETED', accounts);
    return id;
  }

  /** Tells live subscribers (after commit) what changed: the transaction, and the balances it moved. */
  private announce(familyId: FamilyId, transactionId: string, change: ChangeKind, accounts: string[]): void {
    const live = this.deps.live;
    live.publish('transactionChanged', familyId, {
      eventId: LiveEvents.newEventId(),
      familyId,
      transactionId,
      change,
    });
    if (accounts.length > 0) {
      live.publish('balancesChanged', familyId, {
        eventId: LiveEvents.newEventId(),
        familyId,
        accountIds: accounts,
      });
    }
  }

  private async validate(draft: Draft, facts: DraftFacts, now: Date): Promise<Resolved> {
    if (facts.account === null) throw notFound('Account', 'input.accountId');
    const family = await this.access.settings(facts.account.familyId);
    return validateDraft(draft, facts, family.id, () => localDate(now, family.timeZone));
  }

  /**
   * Records the row, moves its balances and writes its budget-alert outbox row, in one statement. Null
   * when a row with the same idempotency key exists (a concurrent retry won).
   */
  private async insert(
    id: string,
    tx: Resolved,
    createdBy: string,
    key: string | null,
    print: string,
    now: Date,
  ): Promise<{ seq: string; balances: Map<string, bigint> } | null> {
    const moves = balanceMoves(balanceEffects(tx));
    const alert = tx.kind === TransactionKind.EXPENSE;
    const [row] = await this.em.execute<{ seq: string; balances: Record<string, string> | null }[]>(
      `with inserted as (
         insert into ledger_transaction
           (id, family_id, kind, occurred_on, amount, currency, account_id, to_account_id, to_amount, to_currency,
            category_id, note, tags, created_by_id, paid_by_id, idempotency_key, idempotency_fingerprint,
            created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)),
                 ?, ?, ?, ?, ?, ?)
         on conflict (family_id, idempotency_key) where idempotency_key is not null do nothing
         returning seq::text as seq
       ), ${moves.sql}${alert ? `, alert as (${BUDGET_CHECK_INSERT})` : ''}
       select i.seq, (select json_object_agg(m.id, m.balance) from moved m) as balances from inserted i`,
      [
        id,
        tx.familyId,
        tx.kind,
        tx.occurredOn,
        tx.amount.toString(),
        tx.currency,
        tx.account,
        tx.toAccount,
        tx.toAmount?.toString() ?? null,
        tx.toCurrency,
        tx.category,
        tx.note,
        JSON.stringify(tx.tags),
        createdBy,
        tx.paidBy,
        key,
        key === null ? null : print,
        now,
        now,
        ...moves.params,
        ...(alert ? budgetCheckParams(tx.familyId, tx.occurredOn, tx.category, now) : []),
      ],
    );
    if (row === undefined) return null;
    return {
      seq: row.seq,
      balances: new Map(
        Object.entries(row.balances ?? {}).map(([account, balance]) => [account, BigInt(balance)]),
      ),
    };
  }

  /** A transaction of the family as written, read back (balances moved in SQL, never from the cache). */
  private async readBack(id: string, familyId: FamilyId): Promise<TransactionRow> {
    const rows = await this.em.execute<Row[]>(`${selectTransactions()} where t.id = ? and t.family_id = ?`, [
      id,
      familyId,
    ]);
    return transactionFromRow(rows[0]!);
  }
}

function missingAmount(field: string): never {
  throw badInput(field, "Give the amount in the new account's currency.");
}
