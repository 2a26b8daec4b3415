import { randomUUID } from 'node:crypto';
import { ArrayType, type Ref } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { User } from '../auth/user.entity.js';
import { Family } from '../family/family.entity.js';

/** What a personal access token may do in its family, on top of its owner's role there. */
export enum TokenScope {
  READ = 'READ',
  WRITE = 'WRITE',
}

/**
 * A personal access token (K1): one user's credential for scripts and integrations, bound to one of
 * their families and to its scopes. Only the SHA-256 of the secret is stored.
 */
@Entity({ tableName: 'personal_access_token' })
export class PersonalAccessToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: ArrayType, columnType: 'text[]' })
  scopes!: TokenScope[];

  @Property({ type: 'text', unique: true })
  tokenHash!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  lastUsedIp: string | null = null;
}
