import type { EntityManager } from '@mikro-orm/postgresql';
import type { Row } from '../../db/rows.js';
import { uuidArray } from '../../db/sql.js';
import { badInput, notFound } from '../../shared/errors.js';
import { isUuid, type FamilyAccess } from '../family/family-access.js';
import type { FamilyId } from '../family/family-id.js';
import { decodeCursor, encodeCursor } from './transaction.cursor.js';
import { addFilter, boundsAmounts, Conditions } from './transaction.filter.js';
import {
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  type PageRequest,
  type TransactionConnection,
  type TransactionFilter,
} from './transaction.inputs.js';
import {
  selectTransactions,
  transactionFromRow,
  type Relation,
  type TransactionRow,
} from './transaction.read.js';

/** The ledger as clients read it: one transaction, or a page of them, only ever in the caller's families. */
export class TransactionReads {
  constructor(
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  /** One transaction of the caller's families; NOT_FOUND for any other id. */
  async get(id: string): Promise<TransactionRow> {
    const found = isUuid(id) ? await this.one('t.id = ?', id) : null;
    if (found === null) throw notFound('Transaction');
    return found;
  }

  /** The first transaction of the caller's families meeting `condition` (SQL on `t`), if any. */
  async one(condition: string, ...params: unknown[]): Promise<TransactionRow | null> {
    const families = [...(await this.access.memberships()).keys()];
    const rows = await this.em.execute<Row[]>(
      `${selectTransactions()} where t.family_id = any(?::uuid[]) and ${condition}`,
      [uuidArray(families), ...params],
    );
    return rows[0] === undefined ? null : transactionFromRow(rows[0]);
  }

  /**
   * Newest first, keyset-paginated on (occurred_on, seq): stable under inserts, never OFFSET. Forward
   * (first/after) reads down from the cursor; backward (last/before) reads up from it and turns the page
   * around, so both directions walk the same index and agree on every page. `totalCount` is one more
   * statement, made only when `countTotal` is set.
   */
  async list(
    familyId: string | null | undefined,
    filter: TransactionFilter | null | undefined,
    page: PageRequest,
    include?: ReadonlySet<Relation>,
    countTotal = false,
  ): Promise<TransactionConnection> {
    const family = await this.access.family(familyId);
    if (page.first != null && page.last != null) {
      throw badInput('last', 'Give either first (paging forward) or last (paging backward), not both.');
    }
    const backward = page.last != null;
    const field = backward ? 'last' : 'first';
    const limit = (backward ? page.last : page.first) ?? PAGE_SIZE_DEFAULT;
    if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_SIZE_MAX) {
      throw badInput(field, `Page size must be between 1 and ${PAGE_SIZE_MAX}.`);
    }
    const after = page.after == null ? null : decodeCursor(page.after, 'after');
    const before = page.before == null ? null : decodeCursor(page.before, 'before');
    const where = new Conditions('t.family_id = ?', family);
    if (filter != null)
      addFilter(where, family, filter, boundsAmounts(filter) ? await this.currencies(family) : []);
    // Counted over the filter alone, before the cursors narrow it.
    const counting = { sql: where.sql, params: [...where.params] };
    // The plain `<=`/`>=` bound lets PostgreSQL start the index scan at the cursor; the OR alone is only a
    // filter, and a page 100,000 rows deep would read all of them first.
    if (after !== null) {
      where.add('t.occurred_on <= ?', after.occurredOn);
      where.add(
        '(t.occurred_on < ? or (t.occurred_on = ? and t.seq < ?))',
        after.occurredOn,
        after.occurredOn,
        after.seq,
      );
    }
    if (before !== null) {
      where.add('t.occurred_on >= ?', before.occurredOn);
      where.add(
        '(t.occurred_on > ? or (t.occurred_on = ? and t.seq > ?))',
        before.occurredOn,
        before.occurredOn,
        before.seq,
      );
    }
    const order = backward ? 't.occurred_on asc, t.seq asc' : 't.occurred_on desc, t.seq desc';
    const rows = await this.em.execute<Row[]>(
      `${selectTransactions(include)} where ${where.sql} order by ${order} limit ?`,
      [...where.params, limit + 1],
    );
    const total = countTotal
      ? await this.em.execute<{ n: string }[]>(
          `select count(*)::text as n from ledger_transaction t where ${counting.sql}`,
          counting.params,
        )
      : undefined;
    const more = rows.length > limit;
    const taken = rows.slice(0, limit);
    if (backward) taken.reverse();
    const edges = taken.map(transactionFromRow).map((node) => ({ cursor: encodeCursor(node), node }));
    return {
      edges,
      // Relay allows false for the direction not being paged; telling it would cost another statement.
      pageInfo: {
        hasNextPage: !backward && more,
        hasPreviousPage: backward && more,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
      totalCount: total === undefined ? 0 : Number(total[0]!.n),
    };
  }

  /** The currencies of a family's accounts. */
  private async currencies(family: FamilyId): Promise<string[]> {
    const rows = await this.em.execute<{ currency: string }[]>(
      `select distinct currency from account where family_id = ?`,
      [family],
    );
    return rows.map((row) => row.currency);
  }
}
