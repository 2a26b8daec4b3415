import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { dayOrToday } from '../../shared/dates.js';
import { badInput } from '../../shared/errors.js';
import { parseCurrency } from '../../shared/money.js';
import type { FamilyAccess } from '../family/family-access.js';
import { Family, Role } from '../family/family.entity.js';
import { ExchangeRate } from './exchange-rate.entity.js';
import { EXCHANGE_RATES, type ExchangeRateRow } from './rate.read.js';

const RATE_SHAPE = /^\d{1,18}(\.\d{1,12})?$/;

/** Manually entered exchange rates, per family and day. */
export class RateService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  async list(familyId: string | null | undefined): Promise<ExchangeRateRow[]> {
    const family = await this.access.family(familyId);
    return this.access.list(EXCHANGE_RATES, family, { order: 'x.on_date desc, x.base, x.quote' });
  }

  /** Records (or replaces) the rate of a pair on a day. */
  async set(input: {
    familyId?: string | null;
    base: string;
    quote: string;
    rate: string;
    date?: string | null;
  }): Promise<ExchangeRateRow> {
    const familyId = await this.access.family(input.familyId, Role.MEMBER, 'input.familyId');
    const family = await this.em.findOneOrFail(Family, familyId);
    const base = parseCurrency(input.base, 'input.base');
    const quote = parseCurrency(input.quote, 'input.quote');
    if (base === quote) throw badInput('input.quote', 'A rate needs two different currencies.');
    const rate = input.rate.trim();
    if (!RATE_SHAPE.test(rate) || /^0+(\.0+)?$/.test(rate)) {
      throw badInput('input.rate', 'A rate is a positive decimal with at most 12 decimal places.');
    }
    const onDate = dayOrToday(input.date, 'input.date', this.deps.clock.now(), family.timeZone);
    await this.em.upsert(
      ExchangeRate,
      // A new row needs its id here: upsert takes plain data, so the entity's default never runs.
      { id: randomUUID(), family, base, quote, rate, onDate, createdAt: this.deps.clock.now() },
      { onConflictFields: ['family', 'base', 'quote', 'onDate'], onConflictMergeFields: ['rate'] },
    );
    const [row] = await this.access.list(EXCHANGE_RATES, familyId, {
      where: 'x.base = ? and x.quote = ? and x.on_date = ?',
      params: [base, quote, onDate],
    });
    return row!;
  }

  /** Returns the deleted id, for client caches to evict. */
  async delete(id: string): Promise<string> {
    const rate = await this.access.load(ExchangeRate, id, 'Exchange rate', Role.MEMBER);
    await this.em.nativeDelete(ExchangeRate, { id: rate.id });
    return rate.id;
  }
}
