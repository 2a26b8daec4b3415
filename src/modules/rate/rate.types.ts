import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { CurrencyScalar, DecimalScalar } from '../../graphql/money.types.js';
import type { ExchangeRateRow } from './rate.read.js';

/** The GraphQL `ExchangeRate`; resolvers receive an `ExchangeRateRow`. */
@ObjectType('ExchangeRate', {
  description:
    'A manually entered exchange rate: 1 unit of `base` is worth `rate` units of `quote` on `date`.',
})
export class ExchangeRateObject implements ExchangeRateRow {
  @Field(() => ID, { description: 'Stable identifier of the rate.' })
  id!: string;

  @Field(() => CurrencyScalar, { description: 'ISO 4217 code of the currency being priced.' })
  base!: string;

  @Field(() => CurrencyScalar, { description: 'ISO 4217 code the price is in.' })
  quote!: string;

  @Field(() => DecimalScalar, { description: 'Units of quote per unit of base, e.g. "1.0825".' })
  rate!: string;

  @Field(() => LocalDateResolver, { description: 'The day the rate applies from (YYYY-MM-DD).' })
  date!: string;
}
