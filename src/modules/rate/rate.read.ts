import { col, shape, type RowOf } from '../../db/rows.js';
import type { FamilyTable } from '../family/family-access.js';

/** The GraphQL `ExchangeRate` as the read layer hands it over. */
export const EXCHANGE_RATE = shape({
  id: col.text('id'),
  base: col.text('base'),
  quote: col.text('quote'),
  rate: col.decimal('rate'),
  date: col.date('on_date'),
});

export type ExchangeRateRow = RowOf<typeof EXCHANGE_RATE>;

export const EXCHANGE_RATES: FamilyTable<ExchangeRateRow> = { table: 'exchange_rate', shape: EXCHANGE_RATE };
