import { randomUUID } from 'node:crypto';
import { type Ref } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Family } from '../family/family.entity.js';

@Entity({ tableName: 'exchange_rate' })
export class ExchangeRate {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @Property({ type: 'string', columnType: 'char(3)' })
  base!: string;

  @Property({ type: 'string', columnType: 'char(3)' })
  quote!: string;

  @Property({ type: 'decimal', columnType: 'numeric(30,12)' })
  rate!: string;

  @Property({ type: 'date' })
  onDate!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
