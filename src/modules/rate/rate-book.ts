import type { EntityManager } from '@mikro-orm/postgresql';
import { convertAmount } from '../../shared/money.js';
import type { FamilyId } from '../family/family-id.js';

/**
 * The latest known rate of every currency pair of a family as of a day. A pair that is missing stays
 * missing: conversions answer null, and reports list the pair instead of assuming 1.
 */
export class RateBook {
  private constructor(private readonly rates: Map<string, string>) {}

  /** The book of a family whose amounts are all in the currency they are wanted in: nothing to read. */
  static readonly none = new RateBook(new Map());

  /** The family's rates as of a day, read only when some amount is in another currency than wanted. */
  static async loadIf(
    needed: boolean,
    em: EntityManager,
    familyId: FamilyId,
    asOf: string,
  ): Promise<RateBook> {
    return needed ? RateBook.load(em, familyId, asOf) : RateBook.none;
  }

  static async load(em: EntityManager, familyId: FamilyId, asOf: string): Promise<RateBook> {
    const rows: { base: string; quote: string; rate: string }[] = await em.execute(
      `select distinct on (base, quote) base, quote, rate::text as rate
         from exchange_rate
        where family_id = ? and on_date <= ?
        order by base, quote, on_date desc`,
      [familyId, asOf],
    );
    return new RateBook(new Map(rows.map((r) => [`${r.base}/${r.quote}`, normalizeRate(r.rate)])));
  }

  /** `minor` units of `from` in `to`, or null when no rate (direct or inverse) is known. */
  convert(minor: bigint, from: string, to: string): bigint | null {
    if (from === to) return minor;
    const direct = this.rates.get(`${from}/${to}`);
    if (direct !== undefined) return convertAmount(minor, from, to, direct);
    const inverse = this.rates.get(`${to}/${from}`);
    if (inverse !== undefined) return convertAmount(minor, from, to, inverse, true);
    return null;
  }
}

/** numeric::text keeps trailing zeros ("1.082500000000"); they change nothing but noise. */
const normalizeRate = (rate: string) => (rate.includes('.') ? rate.replace(/\.?0+$/, '') : rate);
