import DataLoader from 'dataloader';
import { ACCOUNTS, type AccountRow } from '../modules/account/account.read.js';
import { CATEGORIES, type CategoryRow } from '../modules/category/category.read.js';
import type { FamilyAccess, FamilyTable } from '../modules/family/family-access.js';

/**
 * Per-request batch loaders for related objects a row points at (a budget's category, a goal's account),
 * so a list costs one query per related type instead of one per row. They read through FamilyAccess:
 * only rows of the caller's families, whoever hands them an id.
 */
export function createLoaders(access: FamilyAccess) {
  return {
    account: byId<AccountRow>(access, ACCOUNTS),
    category: byId<CategoryRow>(access, CATEGORIES),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

function byId<T extends { id: string }>(access: FamilyAccess, table: FamilyTable<T>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const found = new Map((await access.rows(table, ids)).map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}
