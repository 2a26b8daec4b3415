import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { LiveEvents } from '../live/live-events.js';
import { badInput } from '../../shared/errors.js';
import { parseAmount, parseCurrency } from '../../shared/money.js';
import { normalizeName } from '../auth/auth.validation.js';
import type { FamilyAccess } from '../family/family-access.js';
import { Family, Role } from '../family/family.entity.js';
import { Account } from './account.entity.js';
import { ACCOUNTS, type AccountRow } from './account.read.js';
import type { CreateAccountInput, UpdateAccountInput } from './account.inputs.js';

/** Accounts and their balances. A balance is a stored column, moved only by `applyBalanceDeltas`. */
export class AccountService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  async list(familyId: string | null | undefined, includeArchived: boolean): Promise<AccountRow[]> {
    const family = await this.access.family(familyId);
    return this.access.list(ACCOUNTS, family, {
      where: includeArchived ? 'true' : 'not x.archived',
      order: 'x.name, x.id',
    });
  }

  get(id: string): Promise<AccountRow> {
    return this.access.row(ACCOUNTS, id, 'Account');
  }

  async create(input: CreateAccountInput): Promise<AccountRow> {
    const familyId = await this.access.family(input.familyId, Role.MEMBER, 'input.familyId');
    const family = await this.em.findOneOrFail(Family, familyId);
    const currency = parseCurrency(input.currency ?? family.baseCurrency, 'input.currency');
    const opening =
      input.openingBalance == null
        ? 0n
        : parseAmount(input.openingBalance, currency, 'input.openingBalance', {
            allowZero: true,
            allowNegative: true,
          });
    const account = this.em.create(Account, {
      family,
      name: accountName(input.name),
      type: input.type,
      currency,
      openingBalance: opening,
      balance: opening,
      createdAt: this.deps.clock.now(),
    });
    await this.em.flush();
    return this.get(account.id);
  }

  async update(id: string, input: UpdateAccountInput): Promise<AccountRow> {
    const account = await this.access.load(Account, id, 'Account', Role.MEMBER);
    if (input.name != null) account.name = accountName(input.name);
    if (input.type != null) account.type = input.type;
    if (input.archived != null) account.archived = input.archived;
    if (input.openingBalance != null) {
      const opening = parseAmount(input.openingBalance, account.currency, 'input.openingBalance', {
        allowZero: true,
        allowNegative: true,
      });
      // One statement, with the difference taken from the row as it is now (not as this request read it),
      // so concurrent corrections of the opening balance cannot make the balance drift.
      await this.em.nativeUpdate(
        Account,
        { id },
        { openingBalance: opening, balance: raw('balance + ? - opening_balance', [opening.toString()]) },
      );
    }
    await this.em.flush();
    if (input.openingBalance != null) {
      const familyId = account.family.id;
      this.deps.live.publish('balancesChanged', familyId, {
        eventId: LiveEvents.newEventId(),
        familyId,
        accountIds: [id],
      });
    }
    return this.get(id);
  }
}

/**
 * Moves balances by signed minor-unit deltas with one atomic UPDATE per account, inside the caller's
 * database transaction, so concurrent writers never lose an update.
 */
export async function applyBalanceDeltas(em: EntityManager, deltas: Map<string, bigint>): Promise<void> {
  // A fixed order, so two transfers in opposite directions cannot deadlock.
  for (const accountId of [...deltas.keys()].sort()) {
    const delta = deltas.get(accountId)!;
    if (delta === 0n) continue;
    await em.execute(`update account set balance = balance + ? where id = ?`, [delta.toString(), accountId]);
  }
}

function accountName(value: string): string {
  const name = normalizeName(value, 'input.name', true)!;
  if (name.length > 100) throw badInput('input.name', 'Name must be at most 100 characters.');
  return name;
}
