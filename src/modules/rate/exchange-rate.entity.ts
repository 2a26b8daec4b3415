import { randomUUID } from 'node:crypto';
import { type Ref } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { DecimalScalar } from '../../graphql/money.types.js';
import { Family } from '../family/family.entity.js';

@ObjectType({
  description:
    'A manually entered exchange rate: 1 unit of `base` is worth `rate` units of `quote` on `date`.',
})
@Entity({ tableName: 'exchange_rate' })
export class ExchangeRate {
  @Field(() => ID, { description: 'Stable identifier of the rate.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @Field(() => String, { description: 'ISO 4217 code of the currency being priced.' })
  @Property({ type: 'string', columnType: 'char(3)' })
  base!: string;

  @Field(() => String, { description: 'ISO 4217 code the price is in.' })
  @Property({ type: 'string', columnType: 'char(3)' })
  quote!: string;

  @Field(() => DecimalScalar, { description: 'Units of quote per unit of base, e.g. "1.0825".' })
  @Property({ type: 'decimal', columnType: 'numeric(30,12)' })
  rate!: string;

  @Field(() => LocalDateResolver, {
    name: 'date',
    description: 'The day the rate applies from (YYYY-MM-DD).',
  })
  @Property({ type: 'date' })
  onDate!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
