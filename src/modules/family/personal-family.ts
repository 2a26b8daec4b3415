import type { EntityManager } from '@mikro-orm/postgresql';
import { Account, AccountType } from '../account/account.entity.js';
import type { User } from '../auth/user.entity.js';
import { Category } from '../category/category.entity.js';
import { DEFAULT_CATEGORIES } from '../category/default-categories.js';
import { Family, Membership, Role } from './family.entity.js';

/**
 * Gives a new user their own family, owned by them and made their default, with the default categories
 * and one cash account in `currency`. Persisted by the caller's next flush, together with the user.
 */
export function createPersonalFamily(em: EntityManager, user: User, currency: string, now: Date): Family {
  const family = em.create(Family, {
    name: `${user.firstName}'s family`,
    baseCurrency: currency,
    createdAt: now,
  });
  em.create(Membership, { family, user, role: Role.OWNER, joinedAt: now });
  for (const template of DEFAULT_CATEGORIES) {
    const parent = em.create(Category, {
      family,
      kind: template.kind,
      name: template.name,
      aliases: template.aliases,
      createdAt: now,
    });
    for (const child of template.children ?? []) {
      em.create(Category, { family, kind: template.kind, parent, ...child, createdAt: now });
    }
  }
  em.create(Account, { family, name: 'Cash', type: AccountType.CASH, currency, createdAt: now });
  user.defaultFamily = em.getReference(Family, family.id, { wrapped: true });
  return family;
}
