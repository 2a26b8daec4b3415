import { col, shape, type RowOf } from '../../db/rows.js';
import type { FamilyTable } from '../family/family-access.js';
import type { CategoryKind } from './category.entity.js';

/** The GraphQL `Category` as the read layer hands it over. */
export const CATEGORY = shape({
  id: col.text('id'),
  kind: col.enum<CategoryKind>()('kind'),
  name: col.text('name'),
  aliases: col.texts('aliases'),
  archived: col.bool('archived'),
  parentId: col.textOrNull('parent_id'),
});

export type CategoryRow = RowOf<typeof CATEGORY>;

export const CATEGORIES: FamilyTable<CategoryRow> = { table: 'category', shape: CATEGORY };

/** Child category ids by parent id (categories have two levels). */
export function childrenByParent(
  categories: readonly { id: string; parentId: string | null }[],
): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const { id, parentId } of categories) {
    if (parentId !== null) children.set(parentId, [...(children.get(parentId) ?? []), id]);
  }
  return children;
}
