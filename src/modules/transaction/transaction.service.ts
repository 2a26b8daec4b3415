import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidArray } from '../../db/sql.js';
import type { Row } from '../../db/rows.js';
import type { Deps } from '../../deps.js';
import { parseLocalDate } from '../../shared/dates.js';
import { badInput, notFound } from '../../shared/errors.js';
import { parseAmount } from '../../shared/money.js';
import { Account } from '../account/account.entity.js';
import type { Principal } from '../auth/auth.service.js';
import { isUuid, type FamilyAccess } from '../family/family-access.js';
import {
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  type CreateTransactionInput,
  type TransactionConnection,
  type TransactionFilter,
  type UpdateTransactionInput,
} from './transaction.inputs.js';
import {
  selectTransactions,
  transactionFromRow,
  type Relation,
  type TransactionView,
} from './transaction.read.js';
import { TransactionWriter } from './transaction.writer.js';

/**
 * The ledger: reads here, writes in TransactionWriter (validation, idempotency and balance effects each in
 * a file of their own).
 */
export class TransactionService {
  private readonly writer: TransactionWriter;

  constructor(
    deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {
    this.writer = new TransactionWriter(deps, em, access);
  }

  async get(id: string): Promise<TransactionView> {
    const families = [...(await this.access.memberships()).keys()];
    const found = isUuid(id)
      ? await this.view('t.id = ? and t.family_id = any(?::uuid[])', id, uuidArray(families))
      : null;
    if (found === null) throw notFound('Transaction');
    return found;
  }

  create(principal: Principal, input: CreateTransactionInput): Promise<TransactionView> {
    return this.writer.create(principal, input);
  }

  update(id: string, input: UpdateTransactionInput): Promise<TransactionView> {
    return this.writer.update(id, input);
  }

  delete(id: string): Promise<boolean> {
    return this.writer.delete(id);
  }

  /** Newest first, keyset-paginated on (occurred_on, seq): stable under inserts, never OFFSET. */
  async list(
    familyId: string | null | undefined,
    filter: TransactionFilter | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
    include?: ReadonlySet<Relation>,
  ): Promise<TransactionConnection> {
    const family = await this.access.family(familyId);
    const limit = first ?? PAGE_SIZE_DEFAULT;
    if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_SIZE_MAX) {
      throw badInput('first', `Page size must be between 1 and ${PAGE_SIZE_MAX}.`);
    }
    const where = new Conditions('t.family_id = ?', family);
    if (after != null) {
      const { occurredOn, seq } = decodeCursor(after);
      // The plain `<=` bound lets PostgreSQL start the index scan at the cursor; the OR alone is only a
      // filter, and a page 100,000 rows deep would read all of them first.
      where.add('t.occurred_on <= ?', occurredOn);
      where.add('(t.occurred_on < ? or (t.occurred_on = ? and t.seq < ?))', occurredOn, occurredOn, seq);
    }
    if (filter != null) await this.addFilter(where, family, filter);
    const rows = await this.em.execute<Row[]>(
      `${selectTransactions(include)} where ${where.sql} order by t.occurred_on desc, t.seq desc limit ?`,
      [...where.params, limit + 1],
    );
    const page = rows.slice(0, limit).map(transactionFromRow);
    const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  private async addFilter(where: Conditions, family: string, filter: TransactionFilter): Promise<void> {
    const ids = (values: string[], field: string) => {
      if (values.length > 100) throw badInput(field, 'At most 100 ids.');
      // An id that cannot exist matches nothing; it must not reach PostgreSQL as a cast error.
      return uuidArray(values.filter(isUuid));
    };
    if (filter.accountIds != null) {
      const accountIds = ids(filter.accountIds, 'filter.accountIds');
      where.add(
        '(t.account_id = any(?::uuid[]) or t.to_account_id = any(?::uuid[]))',
        accountIds,
        accountIds,
      );
    }
    if (filter.categoryIds != null) {
      // A parent category stands for its children too.
      const roots = ids(filter.categoryIds, 'filter.categoryIds');
      where.add(
        `t.category_id in (select c.id from category c
                            where c.family_id = ? and (c.id = any(?::uuid[]) or c.parent_id = any(?::uuid[])))`,
        family,
        roots,
        roots,
      );
    }
    if (filter.memberIds != null)
      where.add('t.paid_by_id = any(?::uuid[])', ids(filter.memberIds, 'filter.memberIds'));
    if (filter.kinds != null)
      where.add(filter.kinds.length === 0 ? 'false' : 't.kind in (?)', [...filter.kinds]);
    if (filter.dateFrom != null)
      where.add('t.occurred_on >= ?', parseLocalDate(filter.dateFrom, 'filter.dateFrom'));
    if (filter.dateTo != null)
      where.add('t.occurred_on <= ?', parseLocalDate(filter.dateTo, 'filter.dateTo'));
    if (filter.amountMin != null || filter.amountMax != null) {
      // Bounds are decimals; each currency of the family has its own minor units.
      const accounts = await this.em.find(Account, { family }, { fields: ['currency'] });
      const byCurrency = [...new Set(accounts.map((a) => a.currency))].map((currency) => {
        const bounds = new Conditions('t.currency = ?', currency);
        if (filter.amountMin != null)
          bounds.add(
            't.amount >= ?',
            parseAmount(filter.amountMin, currency, 'filter.amountMin', { allowZero: true }).toString(),
          );
        if (filter.amountMax != null)
          bounds.add(
            't.amount <= ?',
            parseAmount(filter.amountMax, currency, 'filter.amountMax', { allowZero: true }).toString(),
          );
        return bounds;
      });
      where.add(
        byCurrency.length === 0 ? 'false' : `(${byCurrency.map((b) => `(${b.sql})`).join(' or ')})`,
        ...byCurrency.flatMap((b) => b.params),
      );
    }
    if (filter.noteContains != null && filter.noteContains.trim() !== '') {
      const text = filter.noteContains.trim();
      if (text.length > 100) throw badInput('filter.noteContains', 'At most 100 characters.');
      where.add(`t.note ilike ? escape '\\'`, `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
  }

  /** One transaction as the GraphQL type shows it; null when no row matches. */
  private async view(condition: string, ...params: unknown[]): Promise<TransactionView | null> {
    const rows = await this.em.execute<Row[]>(`${selectTransactions()} where ${condition}`, params);
    return rows[0] === undefined ? null : transactionFromRow(rows[0]);
  }
}

/** A conjunction of SQL conditions with their `?` parameters, in order. */
class Conditions {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];

  constructor(condition: string, ...params: unknown[]) {
    this.add(condition, ...params);
  }

  add(condition: string, ...params: unknown[]): void {
    this.parts.push(condition);
    this.params.push(...params);
  }

  get sql(): string {
    return this.parts.join(' and ');
  }
}

const CURSOR = /^(\d{4}-\d{2}-\d{2})~(\d{1,19})$/;

function encodeCursor(tx: TransactionView): string {
  return Buffer.from(`${tx.occurredOn}~${tx.seq}`).toString('base64url');
}

function decodeCursor(cursor: string): { occurredOn: string; seq: string } {
  const match = cursor.length <= 64 ? CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  // Shaped right is not enough: an impossible date or a seq beyond bigint must not reach PostgreSQL.
  if (match === null || !isDate(match[1]!) || BigInt(match[2]!) > MAX_SEQ) {
    throw badInput('after', 'This cursor is not valid.');
  }
  return { occurredOn: match[1]!, seq: match[2]! };
}

const MAX_SEQ = 9_223_372_036_854_775_807n;

function isDate(value: string): boolean {
  try {
    parseLocalDate(value, 'after');
    return true;
  } catch {
    return false;
  }
}
