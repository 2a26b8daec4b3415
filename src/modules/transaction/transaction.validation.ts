import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidArray } from '../../db/sql.js';
import { parseLocalDate } from '../../shared/dates.js';
import { badInput, notFound } from '../../shared/errors.js';
import { parseAmount } from '../../shared/money.js';
import { ACCOUNT, type AccountRow } from '../account/account.read.js';
import { userColumns, userFromRow, type UserView } from '../auth/user.read.js';
import { CATEGORY, type CategoryRow } from '../category/category.read.js';
import { isUuid } from '../family/family-access.js';
import type { FamilyId } from '../family/family-id.js';
import { TransactionKind } from './transaction.entity.js';

const NOTE_MAX = 500;
const TAGS_MAX = 10;

/** The requested state of a transaction before validation (create, or an existing one with changes). */
export interface Draft {
  kind: TransactionKind;
  /** Decimal text to parse, or already-known minor units (unchanged amount of an unchanged currency). */
  amount: string | bigint;
  accountId: string;
  toAccountId: string | null;
  toAmount: string | bigint | null;
  categoryId: string | null;
  /** The day as given; null: today in the family's time zone. */
  occurredOn: string | null;
  note: string | null;
  tags: string[];
  paidById: string;
}

/** What a transaction is after validation: every reference checked to be in the family. */
export interface Resolved {
  familyId: FamilyId;
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

/**
 * Everything a draft refers to, read in one statement and only inside the given families: an id of
 * anything else reads as null. The rows are whole, so a create can answer from them without reading again.
 */
export interface DraftFacts {
  account: (AccountRow & { familyId: string }) | null;
  toAccount: AccountRow | null;
  category: CategoryRow | null;
  /** The payer, when a member of the account's family. */
  paidBy: UserView | null;
  /** The caller. */
  createdBy: UserView;
  /** The transaction already recorded under the idempotency key in the account's family. */
  existing: { id: string; fingerprint: string | null } | null;
}

export interface FactsQuery {
  /** The families the account may be in. */
  families: FamilyId[];
  draft: Pick<Draft, 'accountId' | 'toAccountId' | 'categoryId' | 'paidById'>;
  callerId: string;
  idempotencyKey: string | null;
}

const uuidOrNull = (id: string | null) => (id !== null && isUuid(id) ? id : null);

/** Reads what `validateDraft` checks, in one statement. */
export async function readDraftFacts(em: EntityManager, query: FactsQuery): Promise<DraftFacts> {
  const { draft } = query;
  const [row] = await em.execute<Record<string, Record<string, unknown> | null>[]>(
    `with src as (
       select a.family_id, ${ACCOUNT.select('a')} from account a
        where a.id = ?::uuid and a.family_id = any(?::uuid[])
     )
     select (select row_to_json(src) from src) as account,
            (select row_to_json(x) from (
               select ${ACCOUNT.select('a')} from account a
                where a.id = ?::uuid and a.family_id = (select family_id from src)) x) as to_account,
            (select row_to_json(x) from (
               select ${CATEGORY.select('c')} from category c
                where c.id = ?::uuid and c.family_id = (select family_id from src)) x) as category,
            (select row_to_json(x) from (
               select ${userColumns('u')} from app_user u
                 join membership m on m.user_id = u.id and m.family_id = (select family_id from src)
                where u.id = ?::uuid) x) as paid_by,
            (select row_to_json(x) from (
               select ${userColumns('u')} from app_user u where u.id = ?::uuid) x) as created_by,
            (select row_to_json(x) from (
               select t.id, t.idempotency_fingerprint as fingerprint from ledger_transaction t
                where t.family_id = (select family_id from src) and t.idempotency_key = ?) x) as existing`,
    [
      uuidOrNull(draft.accountId),
      uuidArray(query.families),
      uuidOrNull(draft.toAccountId),
      uuidOrNull(draft.categoryId),
      uuidOrNull(draft.paidById),
      query.callerId,
      query.idempotencyKey,
    ],
  );
  return {
    account:
      row!.account == null
        ? null
        : Object.assign(ACCOUNT.read(row!.account), { familyId: row!.account.family_id as string }),
    toAccount: row!.to_account == null ? null : ACCOUNT.read(row!.to_account),
    category: row!.category == null ? null : CATEGORY.read(row!.category),
    paidBy: row!.paid_by == null ? null : userFromRow(row!.paid_by),
    createdBy: userFromRow(row!.created_by!),
    existing:
      row!.existing == null
        ? null
        : { id: row!.existing.id as string, fingerprint: row!.existing.fingerprint as string | null },
  };
}

/**
 * Checks a draft against the facts of its family. An id that points at nothing of the family is
 * NOT_FOUND naming its field (A2); a reference of the wrong kind inside the family is BAD_USER_INPUT.
 */
export function validateDraft(
  draft: Draft,
  facts: DraftFacts,
  familyId: FamilyId,
  today: () => string,
): Resolved {
  const account = facts.account;
  if (account === null) throw notFound('Account', 'input.accountId');
  const amount =
    typeof draft.amount === 'bigint'
      ? draft.amount
      : parseAmount(draft.amount, account.currency, 'input.amount');
  let toAccount: AccountRow | null = null;
  let toAmount: bigint | null = null;
  if (draft.kind === TransactionKind.TRANSFER) {
    if (draft.toAccountId === null)
      throw badInput('input.toAccountId', 'A transfer needs a destination account.');
    toAccount = facts.toAccount;
    if (toAccount === null) throw notFound('Account', 'input.toAccountId');
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
    const found = facts.category;
    if (found === null) throw notFound('Category', 'input.categoryId');
    if (found.kind !== (draft.kind as string)) {
      throw badInput('input.categoryId', `"${found.name}" is an ${found.kind} category.`);
    }
    category = found.id;
  }
  if (facts.paidBy === null) throw notFound('Member', 'input.paidById');
  return {
    familyId,
    kind: draft.kind,
    amount,
    currency: account.currency,
    account: account.id,
    toAccount: toAccount?.id ?? null,
    toAmount,
    toCurrency: toAccount?.currency ?? null,
    category,
    occurredOn: draft.occurredOn === null ? today() : parseLocalDate(draft.occurredOn, 'input.occurredOn'),
    note: note(draft.note),
    tags: tags(draft.tags),
    paidBy: facts.paidBy.id,
  };
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
