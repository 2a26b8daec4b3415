import { randomUUID } from 'node:crypto';
import { BigIntType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Family } from '../family/family.entity.js';

/** A person, for writes; the GraphQL `User` is user.types.ts over user.read.ts. */
@Entity({ tableName: 'app_user' })
export class User {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text', nullable: true, unique: true })
  email: string | null = null;

  @Property({ type: 'text', nullable: true, lazy: true })
  passwordHash: string | null = null;

  @Property({ type: new BigIntType('string'), nullable: true, unique: true })
  telegramId: string | null = null;

  @Property({ type: 'boolean' })
  emailVerified: boolean & Opt = false;

  @Property({ type: 'text' })
  firstName!: string;

  @Property({ type: 'text', nullable: true })
  lastName: string | null = null;

  /** The language chosen for the bot's replies (SUPPORTED_LANGUAGES), or null for Telegram's own. */
  @Property({ type: 'text', nullable: true })
  language: string | null = null;

  /** The family finance operations act on when none is named. */
  @ManyToOne(() => Family, { ref: true, nullable: true, deleteRule: 'set null' })
  defaultFamily: Ref<Family> | null = null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  /** Set by deleteAccount on the anonymous row kept for other members' records (issue 14). */
  @Property({ type: 'datetime', nullable: true })
  deletedAt: Date | null = null;
}
