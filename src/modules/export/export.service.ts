import type { EntityManager } from '@mikro-orm/postgresql';
import type { Row } from '../../db/rows.js';
import { Role } from '../family/family.entity.js';
import type { FamilyAccess } from '../family/family-access.js';
import type { FamilyId } from '../family/family-id.js';
import { addFilter, boundsAmounts, Conditions } from '../transaction/transaction.filter.js';
import type { TransactionFilter } from '../transaction/transaction.inputs.js';
import { selectTransactions, transactionFromRow } from '../transaction/transaction.read.js';
import { csvRecord } from './export.csv.js';

/** Rows read per statement: memory holds one batch, whatever the family's size. */
export const EXPORT_BATCH = 1000;

/** The version of the family JSON format (docs/export-format.md); bumped on any incompatible change. */
export const FAMILY_EXPORT_VERSION = 1;

/**
 * The family-owned tables the JSON export carries, in an order an import can write them back in (a row
 * only refers to rows of tables before it, or of its own table).
 */
const FAMILY_TABLES = [
  ['accounts', 'account'],
  ['categories', 'category'],
  ['exchangeRates', 'exchange_rate'],
  ['transactions', 'ledger_transaction'],
  ['budgets', 'budget'],
  ['goals', 'goal'],
  ['goalContributions', 'goal_contribution'],
  ['schedules', 'schedule'],
  ['scheduleOccurrences', 'schedule_occurrence'],
] as const;

/**
 * A row as JSON, keyed by column name, with every number as a string (minor units exceed what a
 * JSON number holds exactly); the family id is left out, it is the export's.
 */
const jsonRow = (alias: string) =>
  `(select coalesce(jsonb_object_agg(
             e.key,
             case when jsonb_typeof(e.value) = 'number' then to_jsonb(e.value #>> '{}') else e.value end), '{}')
      from jsonb_each(to_jsonb(${alias}) - 'family_id') e)::text as json`;

/**
 * Exports (issue 14): the ledger as CSV with the `transactions` filters, and a whole family as JSON. Both
 * check the family first and then read in keyset batches, so the caller streams what they yield in flat
 * memory. Any member may export, viewers included: an export shows nothing the API does not already
 * show them.
 */
export class ExportService {
  constructor(
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  /** Checks the family and the filter, then yields CSV records newest first. */
  async transactionsCsv(
    familyId: string | undefined,
    filter: TransactionFilter,
  ): Promise<AsyncGenerator<string[]>> {
    const family = await this.access.family(familyId, Role.VIEWER, 'familyId');
    const where = new Conditions('t.family_id = ?', family);
    addFilter(where, family, filter, boundsAmounts(filter) ? await this.currencies(family) : []);
    return this.transactionBatches(where);
  }

  private async *transactionBatches(where: Conditions): AsyncGenerator<string[]> {
    let after: { occurredOn: string; seq: bigint } | undefined;
    for (;;) {
      const page = new Conditions(where.sql, ...where.params);
      if (after !== undefined) {
        page.add('t.occurred_on <= ?', after.occurredOn);
        page.add(
          '(t.occurred_on < ? or (t.occurred_on = ? and t.seq < ?))',
          after.occurredOn,
          after.occurredOn,
          after.seq.toString(),
        );
      }
      const rows = await this.em.execute<Row[]>(
        `${selectTransactions()} where ${page.sql} order by t.occurred_on desc, t.seq desc limit ?`,
        [...page.params, EXPORT_BATCH],
      );
      for (const row of rows) {
        const transaction = transactionFromRow(row);
        after = { occurredOn: transaction.occurredOn, seq: BigInt(transaction.seq) };
        yield csvRecord(transaction);
      }
      if (rows.length < EXPORT_BATCH) return;
    }
  }

  /** Checks the family, then yields the JSON document in pieces (docs/export-format.md). */
  async familyJson(familyId: string | undefined, exportedAt: Date): Promise<AsyncGenerator<string>> {
    const family = await this.access.family(familyId, Role.VIEWER, 'familyId');
    return this.familyDocument(family, exportedAt);
  }

  private async *familyDocument(family: FamilyId, exportedAt: Date): AsyncGenerator<string> {
    const [settings] = await this.em.execute<Row[]>(
      `select ${jsonRow('f')} from (select id, name, base_currency, month_start_day, time_zone, created_at
                                         from family where id = ?) f`,
      [family],
    );
    // Names and roles only: no address, Telegram id, password hash or token of anyone.
    const members = await this.em.execute<Row[]>(
      `select ${jsonRow('m')} from (select u.id as user_id, u.first_name, u.last_name, m.role, m.joined_at
                                         from membership m join app_user u on u.id = m.user_id
                                        where m.family_id = ? order by m.joined_at, u.id) m`,
      [family],
    );
    yield (
      `{"format":"family-finance-export","version":${FAMILY_EXPORT_VERSION},` +
      `"exportedAt":${JSON.stringify(exportedAt.toISOString())},"family":${settings!.json as string},` +
      `"members":[${members.map((m) => m.json as string).join(',')}]`
    );
    for (const [key, table] of FAMILY_TABLES) {
      yield `,${JSON.stringify(key)}:[`;
      let after: string | undefined;
      let first = true;
      for (;;) {
        const rows = await this.em.execute<Row[]>(
          `select x.id::text as id, ${jsonRow('x')} from ${table} x
            where x.family_id = ? ${after === undefined ? '' : 'and x.id > ?'} order by x.id limit ?`,
          after === undefined ? [family, EXPORT_BATCH] : [family, after, EXPORT_BATCH],
        );
        if (rows.length > 0) {
          yield (first ? '' : ',') + rows.map((row) => row.json as string).join(',');
          first = false;
          after = rows.at(-1)!.id as string;
        }
        if (rows.length < EXPORT_BATCH) break;
      }
      yield ']';
    }
    yield '}\n';
  }

  private async currencies(family: FamilyId): Promise<string[]> {
    const rows = await this.em.execute<{ currency: string }[]>(
      `select distinct currency from account where family_id = ?`,
      [family],
    );
    return rows.map((row) => row.currency);
  }
}
