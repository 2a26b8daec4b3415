import { randomUUID } from 'node:crypto';
import { type Ref } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Session } from './session.entity.js';

/** A refresh token, stored only as its SHA-256. Each rotation revokes it and links the child to it. */
@Entity({ tableName: 'refresh_token' })
export class RefreshToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Session, { ref: true, deleteRule: 'cascade' })
  session!: Ref<Session>;

  /** Hex SHA-256 of the raw token. */
  @Property({ type: 'text', unique: true })
  tokenHash!: string;

  @ManyToOne(() => RefreshToken, { ref: true, nullable: true, deleteRule: 'set null' })
  parent: Ref<RefreshToken> | null = null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  /** Idle expiry: a token not used by then is dead. */
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}
