import { randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidArray } from '../../db/sql.js';
import type { Deps } from '../../deps.js';
import { localDate, parseLocalDate } from '../../shared/dates.js';
import { badInput, notFound } from '../../shared/errors.js';
import { parseAmount } from '../../shared/money.js';
import { applyBalanceDeltas } from '../account/account.service.js';
import { recordBudgetAlerts } from '../budget/budget.service.js';
import type { Principal } from '../auth/auth.service.js';
import { isUuid, type FamilyAccess } from '../family/family-access.js';
import { Membership, Role } from '../family/family.entity.js';
import { LedgerTransaction, TransactionKind } from './transaction.entity.js';
import type { CreateTransactionInput, UpdateTransactionInput } from './transaction.inputs.js';
import type { TransactionRow as TransactionView } from './transaction.read.js';
import { TransactionReads } from './transaction.reads.js';

const NOTE_MAX = 500;
const TAGS_MAX = 10;
const IDEMPOTENCY_KEY_MAX = 200;

/** What validation needs of an account. */
interface AccountRow {
  id: string;
  familyId: string;
  currency: string;
}

/** What a transaction is after validation: every reference checked to be in the family. */
interface Resolved {
  kind: TransactionKind;
  amount: bigint;
  currency: string;
  account: string;
  toAccount: string | null;
  toAmount: bigint | null;
  toCurrency: string | null;
  category: string | null;
  occurredOn: string;
  note: string | null;
  tags: string[];
  paidBy: string;
}

/** The requested state of a transaction before validation (create, or an existing one with changes). */
interface Draft {
  kind: TransactionKind;
  /** Decimal text to parse, or already-known minor units (unchanged amount of an unchanged currency). */
  amount: string | bigint;
  accountId: string;
  toAccountId: string | null;
  toAmount: string | bigint | null;
  categoryId: string | null;
  occurredOn: string | null;
  note: string | null;
  tags: string[];
  paidById: string;
}

/** How a transaction moves balances: account id -> signed minor units. */
export function balanceEffects(tx: Pick<Resolved, 'kind' | 'amount' | 'account' | 'toAccount' | 'toAmount'>) {
  const effects = new Map<string, bigint>();
  const add = (account: string, delta: bigint) => effects.set(account, (effects.get(account) ?? 0n) + delta);
  if (tx.kind === TransactionKind.INCOME) add(tx.account, tx.amount);
  else add(tx.account, -tx.amount);
  if (tx.kind === TransactionKind.TRANSFER) add(tx.toAccount!, tx.toAmount!);
  return effects;
}

const effectsOf = (tx: LedgerTransaction) =>
  balanceEffects({
    kind: tx.kind,
    amount: tx.amount,
    account: tx.account.id,
    toAccount: tx.toAccount?.id ?? null,
    toAmount: tx.toAmount,
  });

/**
 * The ledger's writes. Every write changes the transaction row and the balances it touches in one
 * database transaction, so a balance always equals opening balance + the sum of its transactions. A
 * write answers with the transaction as `reads` shows it; clients read the ledger through `reads`.
 */
export class TransactionService {
  private readonly accountRows = new Map<string, AccountRow>();
  readonly reads: TransactionReads;

  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {
    this.reads = new TransactionReads(em, access);
  }

  async create(principal: Principal, input: CreateTransactionInput): Promise<TransactionView> {
    const source = await this.accountRow(this.em, input.accountId);
    // Another family's account is NOT_FOUND, as if it did not exist (A3); then the role is checked.
    if (source === null || (await this.access.roleIn(source.familyId)) === undefined)
      throw notFound('Account');
    const familyId = await this.access.family(source.familyId, Role.MEMBER);
    const family = await this.access.settings(familyId);
    const key = input.idempotencyKey?.trim() || null;
    if (key !== null && key.length > IDEMPOTENCY_KEY_MAX) {
      throw badInput('input.idempotencyKey', `At most ${IDEMPOTENCY_KEY_MAX} characters.`);
    }
    if (key !== null) {
      const [existing] = await this.em.execute<{ id: string }[]>(
        `select id from ledger_transaction where family_id = ? and idempotency_key = ?`,
        [familyId, key],
      );
      if (existing !== undefined) return this.reload(existing.id);
    }
    const resolved = await this.resolve(this.em, familyId, {
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
    });
    let id: string;
    try {
      id = await this.em.transactional(async (em) => {
        const now = this.deps.clock.now();
        const txId = randomUUID();
        // A plain insert: nothing reads the new row back through the unit of work (reload does).
        await em.execute(
          `insert into ledger_transaction
             (id, family_id, kind, occurred_on, amount, currency, account_id, to_account_id, to_amount, to_currency,
              category_id, note, tags, created_by_id, paid_by_id, idempotency_key, created_at, updated_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)), ?, ?, ?, ?, ?)`,
          [
            txId,
            familyId,
            resolved.kind,
            resolved.occurredOn,
            resolved.amount.toString(),
            resolved.currency,
            resolved.account,
            resolved.toAccount,
            resolved.toAmount?.toString() ?? null,
            resolved.toCurrency,
            resolved.category,
            resolved.note,
            JSON.stringify(resolved.tags),
            principal.userId,
            resolved.paidBy,
            key,
            now,
            now,
          ],
        );
        await applyBalanceDeltas(em, balanceEffects(resolved));
        if (resolved.kind === TransactionKind.EXPENSE)
          await recordBudgetAlerts(em, family, resolved.occurredOn, resolved.category, now);
        return txId;
      });
    } catch (error) {
      // Two retries of one create raced: the loser returns the winner's transaction.
      if (key !== null && error instanceof UniqueConstraintViolationException) {
        return (await this.view('t.family_id = ? and t.idempotency_key = ?', familyId, key))!;
      }
      throw error;
    }
    return this.reload(id);
  }

  async update(id: string, input: UpdateTransactionInput): Promise<TransactionView> {
    const current = await this.access.load(LedgerTransaction, id, 'Transaction', Role.MEMBER);
    const familyId = current.family.id;
    const family = await this.access.settings(familyId);
    await this.em.transactional(async (em) => {
      const tx = await em.findOneOrFail(LedgerTransaction, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const before = effectsOf(tx);
      const kind = input.kind ?? tx.kind;
      const accountId = input.accountId ?? tx.account.id;
      const toAccountId =
        kind === TransactionKind.TRANSFER ? (input.toAccountId ?? tx.toAccount?.id ?? null) : null;
      const resolved = await this.resolve(em, familyId, {
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
      });
      em.assign(tx, { ...resolved, updatedAt: this.deps.clock.now() });
      await em.flush();
      const after = effectsOf(tx);
      const deltas = new Map<string, bigint>();
      for (const [account, delta] of before) deltas.set(account, -delta);
      for (const [account, delta] of after) deltas.set(account, (deltas.get(account) ?? 0n) + delta);
      await applyBalanceDeltas(em, deltas);
      if (resolved.kind === TransactionKind.EXPENSE) {
        await recordBudgetAlerts(em, family, resolved.occurredOn, resolved.category, this.deps.clock.now());
      }
    });
    return this.reload(id);
  }

  async delete(id: string): Promise<boolean> {
    await this.access.load(LedgerTransaction, id, 'Transaction', Role.MEMBER);
    await this.em.transactional(async (em) => {
      const tx = await em.findOne(LedgerTransaction, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (tx === null) return; // deleted concurrently: its effects are already gone
      const reverse = new Map([...effectsOf(tx)].map(([account, delta]) => [account, -delta]));
      await em.nativeDelete(LedgerTransaction, { id });
      await applyBalanceDeltas(em, reverse);
    });
    this.em.clear();
    return true;
  }

  /** One transaction as the GraphQL type shows it, in the caller's families; null when no row matches. */
  private view(condition: string, ...params: unknown[]): Promise<TransactionView | null> {
    return this.reads.one(condition, ...params);
  }

  /** Validates a draft against the family: accounts, category, payer, amounts in the right currencies. */
  private async resolve(em: EntityManager, familyId: string, draft: Draft): Promise<Resolved> {
    const account = await this.familyAccount(em, familyId, draft.accountId, 'input.accountId');
    const amount =
      typeof draft.amount === 'bigint'
        ? draft.amount
        : parseAmount(draft.amount, account.currency, 'input.amount');
    let toAccount: AccountRow | null = null;
    let toAmount: bigint | null = null;
    if (draft.kind === TransactionKind.TRANSFER) {
      if (draft.toAccountId === null)
        throw badInput('input.toAccountId', 'A transfer needs a destination account.');
      toAccount = await this.familyAccount(em, familyId, draft.toAccountId, 'input.toAccountId');
      if (toAccount.id === account.id)
        throw badInput('input.toAccountId', 'A transfer needs two different accounts.');
      if (draft.toAmount !== null) {
        toAmount =
          typeof draft.toAmount === 'bigint'
            ? draft.toAmount
            : parseAmount(draft.toAmount, toAccount.currency, 'input.toAmount');
        if (toAccount.currency === account.currency && toAmount !== amount) {
          throw badInput('input.toAmount', 'Within one currency a transfer moves the same amount.');
        }
      } else if (toAccount.currency === account.currency) {
        toAmount = amount;
      } else {
        throw badInput('input.toAmount', `Say how much ${toAccount.currency} arrived.`);
      }
      if (draft.categoryId !== null) throw badInput('input.categoryId', 'Transfers have no category.');
    } else if (draft.toAccountId !== null || draft.toAmount !== null) {
      throw badInput('input.toAccountId', 'Only transfers have a destination account.');
    }
    let category: string | null = null;
    if (draft.categoryId !== null) {
      const [found] = isUuid(draft.categoryId)
        ? await em.execute<{ id: string; kind: string; name: string }[]>(
            `select id, kind, name from category where id = ? and family_id = ?`,
            [draft.categoryId, familyId],
          )
        : [];
      if (found === undefined) throw badInput('input.categoryId', 'No such category in this family.');
      if (found.kind !== (draft.kind as string)) {
        throw badInput('input.categoryId', `"${found.name}" is an ${found.kind} category.`);
      }
      category = found.id;
    }
    const payerIsCaller = draft.paidById === this.access.userId; // the caller's membership is known
    if (
      !isUuid(draft.paidById) ||
      (!payerIsCaller && (await em.count(Membership, { family: familyId, user: draft.paidById })) === 0)
    ) {
      throw badInput('input.paidById', 'The payer must be a member of the family.');
    }
    return {
      kind: draft.kind,
      amount,
      currency: account.currency,
      account: account.id,
      toAccount: toAccount?.id ?? null,
      toAmount,
      toCurrency: toAccount?.currency ?? null,
      category,
      occurredOn:
        draft.occurredOn === null
          ? localDate(this.deps.clock.now(), (await this.access.settings(familyId)).timeZone)
          : parseLocalDate(draft.occurredOn, 'input.occurredOn'),
      note: note(draft.note),
      tags: tags(draft.tags),
      paidBy: draft.paidById,
    };
  }

  private async familyAccount(
    em: EntityManager,
    familyId: string,
    id: string,
    field: string,
  ): Promise<AccountRow> {
    const account = await this.accountRow(em, id);
    if (account === null || account.familyId !== familyId)
      throw badInput(field, 'No such account in this family.');
    return account;
  }

  /** An account's id, family and currency (none of which ever change), read once per request. */
  private async accountRow(em: EntityManager, id: string): Promise<AccountRow | null> {
    if (!isUuid(id)) return null;
    let row = this.accountRows.get(id);
    if (row === undefined) {
      const families = [...(await this.access.memberships()).keys()];
      const [found] = await em.execute<{ id: string; family_id: string; currency: string }[]>(
        `select id, family_id, currency from account where id = ? and family_id = any(?::uuid[])`,
        [id, uuidArray(families)],
      );
      if (found === undefined) return null;
      row = { id: found.id, familyId: found.family_id, currency: found.currency };
      this.accountRows.set(id, row);
    }
    return row;
  }

  /** The transaction as written: balances moved in SQL, so it is read back, never taken from the cache. */
  private async reload(id: string): Promise<TransactionView> {
    return (await this.view('t.id = ?', id))!;
  }
}

function missingAmount(field: string): never {
  throw badInput(field, "Give the amount in the new account's currency.");
}

function note(value: string | null): string | null {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  if (text.length > NOTE_MAX) throw badInput('input.note', `At most ${NOTE_MAX} characters.`);
  return text;
}

function tags(values: string[]): string[] {
  if (values.length > TAGS_MAX) throw badInput('input.tags', `At most ${TAGS_MAX} tags.`);
  return [
    ...new Set(
      values.map((tag, i) => {
        const t = tag.trim().toLowerCase();
        if (t === '' || t.length > 50) throw badInput(`input.tags.${i}`, 'A tag is 1 to 50 characters.');
        return t;
      }),
    ),
  ];
}
