import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { Account } from '../modules/account/account.entity.js';
import { User } from '../modules/auth/user.entity.js';
import { Category } from '../modules/category/category.entity.js';

/**
 * Per-request batch loaders for nested fields (transaction -> account, category, createdBy...), so a page
 * of 50 transactions costs one query per related type instead of one per row. Callers only pass ids
 * that come from rows the tenancy checks already admitted.
 */
export function createLoaders(em: EntityManager) {
  return {
    account: byId(em, Account),
    category: byId(em, Category),
    user: byId(em, User),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

function byId<T extends { id: string }>(em: EntityManager, entity: EntityClass<T>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await em.find(entity, { id: { $in: [...ids] } } as never);
    const found = new Map(rows.map((row) => [(row as T).id, row as T]));
    return ids.map((id) => found.get(id) ?? null);
  });
}
