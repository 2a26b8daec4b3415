import { columns, type Row } from '../../db/rows.js';
import type { Category, CategoryKind } from './category.entity.js';

/** The fields of the GraphQL `Category` type: a Category entity has them, and so does a mapped row. */
export type CategoryView = Pick<Category, 'id' | 'kind' | 'name' | 'aliases' | 'archived'> & {
  parent: { id: string } | null;
};

const COLUMNS = ['id', 'kind', 'name', 'aliases', 'archived', 'parent_id'] as const;

/** The columns `categoryFromRow` reads, from the table aliased `alias`, prefixed `prefix`. */
export const categoryColumns = (alias: string, prefix = ''): string => columns(alias, prefix, COLUMNS);

export function categoryFromRow(row: Row, prefix = ''): CategoryView {
  return {
    id: row[`${prefix}id`] as string,
    kind: row[`${prefix}kind`] as CategoryKind,
    name: row[`${prefix}name`] as string,
    aliases: row[`${prefix}aliases`] as string[],
    archived: row[`${prefix}archived`] as boolean,
    parent: row[`${prefix}parent_id`] === null ? null : { id: row[`${prefix}parent_id`] as string },
  };
}

/** Child category ids by parent id (categories have two levels). */
export function childrenByParent(
  categories: readonly { id: string; parent: { id: string } | null }[],
): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const { id, parent } of categories) {
    if (parent !== null) children.set(parent.id, [...(children.get(parent.id) ?? []), id]);
  }
  return children;
}
