/**
 * The read layer's one way of writing down what a GraphQL type is made of: a `shape` names each field's
 * column (with its cast) and how its value is read, and from that one declaration come the column list
 * of a plain select (`select`), the same fields as one JSON object for aggregates (`json`), and the
 * typed mapper of both (`read`, `RowOf`). Joins, reports, budgets and loaders reuse the shapes, so a row
 * shape is written once and the compiler sees every use of it.
 *
 * Why typed plain SQL and not MikroORM's QueryBuilder or kysely: measured, not assumed. `npm run bench
 * -- reads` runs the same two reads four ways to the same typed values (bench/read-mechanisms.ts). On
 * 2026-12-01 (2 cores, load average 5-7, medians of 5 rounds, reads/s as a share of bare pg): a family's
 * accounts 0.74x here, 0.56x kysely, 0.32x QueryBuilder; a 50-row joined page 0.72x here, 0.68x kysely,
 * 0.49x QueryBuilder. Statements here are built once per selection and cached, where a builder builds
 * (and kysely also compiles) on every call, for checks the shapes already give the compiler.
 * The statements go through the request's EntityManager (`em.execute`), so they join its transaction,
 * and use nothing of MikroORM 6 that version 7 drops.
 */
export type Row = Record<string, unknown>;

/** One field of a shape: its SQL expression over the table alias `t`, and how its value is read. */
export interface Column<T> {
  sql: (alias: string) => string;
  read: (value: unknown) => T;
  /** Read on first access: timestamps, which most queries never select, are not parsed for nothing. */
  lazy?: boolean;
}

const column =
  <T>(read: (value: unknown) => T, cast = '', lazy = false) =>
  (name: string): Column<T> => ({ sql: (alias) => `${alias}.${name}${cast}`, read, lazy });

const same = <T>(value: unknown) => value as T;

/** Column kinds. bigint, date and numeric travel as text, so no digit is lost and no time zone applies. */
export const col = {
  text: column<string>(same),
  textOrNull: column<string | null>(same),
  bool: column<boolean>(same),
  int: column<number>(same),
  intOrNull: column<number | null>(same),
  enum: <T extends string>() => column<T>(same),
  texts: column<string[]>(same),
  enums: <T extends string>() => column<T[]>(same),
  bigint: column<bigint>((value) => BigInt(value as string), '::text'),
  bigintOrNull: column<bigint | null>((value) => (value === null ? null : BigInt(value as string)), '::text'),
  /** A 64-bit integer as decimal text (a sequence, Telegram's ids). */
  int64: column<string>(same, '::text'),
  int64OrNull: column<string | null>(same, '::text'),
  date: column<string>(same, '::text'),
  dateOrNull: column<string | null>(same, '::text'),
  decimal: column<string>(same, '::text'),
  /** jsonb, which the driver parses. */
  object: column<Record<string, unknown>>(same),
  /** The driver hands timestamptz over as text, and JSON as ISO text: both parse. */
  timestamp: column<Date>((value) => new Date(value as string), '', true),
  timestampOrNull: column<Date | null>(
    (value) => (value === null ? null : new Date(value as string)),
    '',
    true,
  ),
};

export type RowOf<S> = S extends Shape<infer T> ? T : never;

export interface Shape<T> {
  /** `alias.column as "prefixfield", ...` for a select; `prefix` tells joined tables apart. */
  select(alias: string, prefix?: string): string;
  /** The same fields as one JSON object, e.g. inside `json_agg(...)`. */
  json(alias: string): string;
  /** The typed value of a row selected with `select(alias, prefix)` or of a `json(alias)` object. */
  read(row: Row, prefix?: string): T;
}

const RAW = Symbol('row');
const PREFIX = Symbol('prefix');

export function shape<const C extends Record<string, Column<unknown>>>(
  columns: C,
): Shape<{ [K in keyof C]: C[K] extends Column<infer T> ? T : never }> {
  type T = { [K in keyof C]: C[K] extends Column<infer V> ? V : never };
  const fields = Object.entries(columns);
  const eager = fields.filter(([, c]) => !c.lazy);
  // A class per shape: eager fields are own properties, lazy ones getters on its prototype that read the
  // row kept under a symbol (invisible to JSON and to Object.keys).
  class View {
    [RAW]: Row;
    [PREFIX]: string;
    constructor(row: Row, prefix: string) {
      this[RAW] = row;
      this[PREFIX] = prefix;
      for (const [key, c] of eager) (this as Row)[key] = c.read(row[prefix + key]);
    }
  }
  for (const [key, c] of fields.filter(([, c]) => c.lazy)) {
    Object.defineProperty(View.prototype, key, {
      enumerable: true,
      get(this: View) {
        return c.read(this[RAW][this[PREFIX] + key]);
      },
    });
  }
  const selects = new Map<string, string>();
  return {
    select(alias, prefix = '') {
      const key = `${alias}|${prefix}`;
      let sql = selects.get(key);
      if (sql === undefined) {
        sql = fields.map(([name, c]) => `${c.sql(alias)} as "${prefix}${name}"`).join(', ');
        selects.set(key, sql);
      }
      return sql;
    },
    json(alias) {
      return `json_build_object(${fields.map(([name, c]) => `'${name}', ${c.sql(alias)}`).join(', ')})`;
    },
    read: (row, prefix = '') => new View(row, prefix) as unknown as T,
  };
}
