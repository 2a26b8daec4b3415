import { randomUUID } from 'node:crypto';
import { BigIntType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Family } from '../family/family.entity.js';

/** A person. Secrets (password hash, lockout state) have no @Field, so they never reach the schema. */
@ObjectType({ description: 'A person using the product, signed in by email + password, Telegram, or both.' })
@Entity({ tableName: 'app_user' })
export class User {
  @Field(() => ID, { description: 'Stable identifier of the user.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => String, {
    nullable: true,
    description: 'Email address, lower-cased; null for a Telegram-only user.',
  })
  @Property({ type: 'text', nullable: true, unique: true })
  email: string | null = null;

  @Property({ type: 'text', nullable: true, lazy: true })
  passwordHash: string | null = null;

  @Field(() => ID, {
    nullable: true,
    description: 'Telegram user id (a 64-bit integer, as a string), when a Telegram account is linked.',
  })
  @Property({ type: new BigIntType('string'), nullable: true, unique: true })
  telegramId: string | null = null;

  @Field(() => Boolean, { description: 'Whether the email address has been verified.' })
  @Property({ type: 'boolean' })
  emailVerified: boolean & Opt = false;

  @Field(() => String, { description: 'First name, as the user gave it.' })
  @Property({ type: 'text' })
  firstName!: string;

  @Field(() => String, { nullable: true, description: 'Last name, if given.' })
  @Property({ type: 'text', nullable: true })
  lastName: string | null = null;

  /** Consecutive failed logins since the last success (per-account throttle). */
  @Property({ type: 'integer' })
  failedLoginCount: number & Opt = 0;

  @Property({ type: 'datetime', nullable: true })
  lockedUntil: Date | null = null;

  /** The family finance operations act on when none is named. */
  @ManyToOne(() => Family, { ref: true, nullable: true, deleteRule: 'set null' })
  defaultFamily: Ref<Family> | null = null;

  @Field(() => DateTimeISOResolver, { description: 'When the account was created.' })
  @Property({ type: 'datetime' })
  createdAt!: Date;
}
