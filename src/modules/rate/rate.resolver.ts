import { LocalDateResolver } from 'graphql-scalars';
import { Arg, Ctx, Field, ID, InputType, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { CurrencyScalar, DecimalScalar } from '../../graphql/money.types.js';
import type { ExchangeRateRow } from './rate.read.js';
import { ExchangeRateObject } from './rate.types.js';

@InputType({ description: 'The value of one currency in another on a day.' })
export class SetExchangeRateInput {
  @Field(() => ID, { nullable: true, description: "The family; default: the caller's default family." })
  familyId?: string | null;

  @Field(() => CurrencyScalar, { description: 'ISO 4217 code of the currency being priced, e.g. "USD".' })
  base!: string;

  @Field(() => CurrencyScalar, { description: 'ISO 4217 code of the price, e.g. "EUR".' })
  quote!: string;

  @Field(() => DecimalScalar, {
    description: 'Units of quote per unit of base, positive, up to 12 decimals.',
  })
  rate!: string;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: 'Day it applies from (YYYY-MM-DD); default today.',
  })
  date?: string | null;
}

@Resolver(() => ExchangeRateObject)
export class RateResolver {
  @Query(() => [ExchangeRateObject], { description: "The family's exchange rates, newest first." })
  async exchangeRates(
    @Arg('familyId', () => ID, {
      nullable: true,
      description: "The family; default: the caller's default family.",
    })
    familyId: string | null,
    @Ctx() ctx: Context,
  ): Promise<ExchangeRateRow[]> {
    return (await ctx.finance()).rates.list(familyId);
  }

  @Mutation(() => ExchangeRateObject, {
    description: "Records the rate of a currency pair on a day (replacing that day's).",
  })
  async setExchangeRate(
    @Arg('input', () => SetExchangeRateInput, { description: 'The rate.' }) input: SetExchangeRateInput,
    @Ctx() ctx: Context,
  ): Promise<ExchangeRateRow> {
    return (await ctx.finance()).rates.set(input);
  }

  @Mutation(() => ID, {
    description: 'Deletes an exchange rate; answers its id, for client caches to evict.',
  })
  async deleteExchangeRate(
    @Arg('id', () => ID, { description: 'The rate.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<string> {
    return (await ctx.finance()).rates.delete(id);
  }
}
