import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { badInput, conflict, notFound } from '../../shared/errors.js';
import { normalizeName } from '../auth/auth.validation.js';
import { isUuid, type FamilyAccess } from '../family/family-access.js';
import { Role } from '../family/family.entity.js';
import { Category, CategoryKind } from './category.entity.js';
import { CATEGORIES, type CategoryRow } from './category.read.js';
import type { CreateCategoryInput, UpdateCategoryInput } from './category.inputs.js';

const MAX_ALIASES = 20;

/** Two-level income/expense categories with aliases, per family. */
export class CategoryService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  async list(
    familyId: string | null | undefined,
    kind: CategoryKind | null | undefined,
    includeArchived: boolean,
  ): Promise<CategoryRow[]> {
    const family = await this.access.family(familyId);
    return this.access.list(CATEGORIES, family, {
      where: `${kind == null ? 'true' : 'x.kind = ?'} ${includeArchived ? '' : 'and not x.archived'}`,
      params: kind == null ? [] : [kind],
      order: 'x.kind, x.name',
    });
  }

  get(id: string): Promise<CategoryRow> {
    return this.access.row(CATEGORIES, id, 'Category');
  }

  async create(input: CreateCategoryInput): Promise<CategoryRow> {
    const familyId = await this.access.family(input.familyId, Role.MEMBER, 'input.familyId');
    let parent: Category | null = null;
    if (input.parentId != null) {
      // Only a category of the same family can be the parent: any other id is NOT_FOUND (A2).
      parent = isUuid(input.parentId)
        ? await this.em.findOne(Category, { id: input.parentId, family: familyId })
        : null;
      if (parent === null) throw notFound('Parent category', 'input.parentId');
      if (parent.parent !== null) throw badInput('input.parentId', 'Categories have two levels at most.');
      if (parent.kind !== input.kind)
        throw badInput('input.kind', `The parent is an ${parent.kind} category.`);
    }
    const category = this.em.create(Category, {
      family: familyId,
      kind: input.kind,
      name: categoryName(input.name),
      parent,
      aliases: aliases(input.aliases ?? []),
      createdAt: this.deps.clock.now(),
    });
    await this.flushUnique();
    return this.get(category.id);
  }

  async update(id: string, input: UpdateCategoryInput): Promise<CategoryRow> {
    const category = await this.access.load(Category, id, 'Category', Role.MEMBER);
    if (input.name != null) category.name = categoryName(input.name);
    if (input.aliases != null) category.aliases = aliases(input.aliases);
    if (input.archived != null) category.archived = input.archived;
    await this.flushUnique();
    return this.get(id);
  }

  /** Deletes a category without children; its transactions become uncategorized. */
  /** Returns the deleted id, for client caches to evict. */
  async delete(id: string): Promise<string> {
    const category = await this.access.load(Category, id, 'Category', Role.MEMBER);
    if ((await this.em.count(Category, { parent: category.id })) > 0) {
      throw conflict('Delete or move its subcategories first, or archive it instead.');
    }
    await this.em.nativeDelete(Category, { id: category.id });
    return category.id;
  }

  private async flushUnique(): Promise<void> {
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw conflict('A category with this name already exists here.', 'input.name');
      }
      throw error;
    }
  }
}

function categoryName(value: string): string {
  const name = normalizeName(value, 'input.name', true)!;
  if (name.length > 100) throw badInput('input.name', 'Name must be at most 100 characters.');
  return name;
}

function aliases(values: string[]): string[] {
  if (values.length > MAX_ALIASES) throw badInput('input.aliases', `At most ${MAX_ALIASES} aliases.`);
  const cleaned = values.map((v, i) => {
    const alias = normalizeName(v, `input.aliases.${i}`, true)!.toLowerCase();
    if (alias.length > 50) throw badInput(`input.aliases.${i}`, 'An alias is at most 50 characters.');
    return alias;
  });
  return [...new Set(cleaned)];
}
