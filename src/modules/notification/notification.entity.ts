import { randomUUID } from 'node:crypto';
import { BigIntType, JsonType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { User } from '../auth/user.entity.js';
import { Family } from '../family/family.entity.js';
import type { NotificationKind } from './notification-kind.js';

/**
 * One message owed to one user (a budget alert, a completed account link), written in the same database
 * transaction as its cause: the outbox the bot delivers from. `dedupeKey` makes "once" a constraint.
 */
@Entity({ tableName: 'notification' })
export class Notification {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: new BigIntType('string'), persist: false })
  seq!: string & Opt;

  @ManyToOne(() => Family, { ref: true, nullable: true, deleteRule: 'cascade' })
  family: Ref<Family> | null = null;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  kind!: NotificationKind;

  @Property({ type: JsonType })
  payload!: Record<string, unknown>;

  @Property({ type: 'text', unique: true })
  dedupeKey!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  deliveredAt: Date | null = null;

  /** When a web client marked it read (markNotificationsRead); independent of the bot's delivery. */
  @Property({ type: 'datetime', nullable: true })
  readAt: Date | null = null;

  /** While in the future, one bot replica is delivering it and the others leave it alone. */
  @Property({ type: 'datetime', nullable: true })
  leasedUntil: Date | null = null;
}
