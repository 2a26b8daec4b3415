/**
 * Read paths that need no change tracking select plain rows and map them to the GraphQL object types
 * themselves: MikroORM's hydration (entity factory, identity map, relation references) costs several
 * times the query it follows (bench/README.md, scenario b). Writes stay on the unit of work.
 *
 * A joined row carries each related table's columns under a prefix (`a_name`, `cu_first_name`, ...);
 * `columns` selects them, and `Row.field` reads them back.
 */
export type Row = Record<string, unknown>;

/** `alias.column as prefix_column, ...`; a column may carry a cast, e.g. `balance::text`. */
export function columns(alias: string, prefix: string, names: readonly string[]): string {
  return names
    .map((name) => {
      const [column] = name.split('::') as [string];
      return `${alias}.${name} as ${prefix}${column}`;
    })
    .join(', ');
}

/**
 * A timestamp column: the driver hands timestamptz over as text. Mappers read it in a getter, so only
 * the timestamps a query selects are parsed.
 */
export const timestamp = (value: unknown): Date => new Date(value as string);
