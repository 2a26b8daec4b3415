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
    if (filter != null)
      addFilter(where, family, filter, boundsAmounts(filter) ? await this.currencies(family) : []);
    const rows = await this.em.execute<Row[]>(
      `${selectTransactions(include)} where ${where.sql} order by t.occurred_on desc, t.seq desc limit ?`,
      [...where.params, limit + 1],
    );
    const page = rows.slice(0, limit).map(transactionFromRow);
    const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null } };
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
