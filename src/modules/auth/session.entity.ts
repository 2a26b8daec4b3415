import { randomUUID } from 'node:crypto';
import { type Opt, type Ref } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { User } from './user.entity.js';

export type SessionClient = 'web' | 'telegram';

/** One signed-in device or client. Its refresh tokens rotate; the session id (`sid`) stays. */
@Entity({ tableName: 'auth_session' })
export class Session {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  /** Absolute cap: no refresh extends the session past this. */
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  revokedReason: string | null = null;

  @Property({ type: 'text', nullable: true })
  userAgent: string | null = null;

  /** The client address of the latest sign-in or refresh; null for sessions older than the column. */
  @Property({ type: 'text', nullable: true })
  ip: string | null = null;

  /** The latest sign-in or refresh: a client in use refreshes at least every access-token lifetime. */
  @Property({ type: 'datetime' })
  lastUsedAt!: Date;

  /** The client that opened it: 'web' (email + password) or 'telegram' (the bot). */
  @Property({ type: 'text' })
  via: SessionClient & Opt = 'web';
}
