import { randomUUID } from 'node:crypto';
import { type Opt, type Ref } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { User } from '../auth/user.entity.js';

export enum Role {
  OWNER = 'owner',
  ADMIN = 'admin',
  MEMBER = 'member',
  VIEWER = 'viewer',
}

/** Roles ordered by power, for "at least" checks. */
export const ROLE_RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

@Entity({ tableName: 'family' })
export class Family {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'string', columnType: 'char(3)' })
  baseCurrency!: string;

  @Property({ type: 'smallint' })
  monthStartDay: number & Opt = 1;

  @Property({ type: 'text' })
  timeZone: string & Opt = 'UTC';

  @Property({ type: 'datetime' })
  createdAt!: Date;
}

@Entity({ tableName: 'membership' })
export class Membership {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => Role, type: 'text' })
  role!: Role;

  @Property({ type: 'datetime' })
  joinedAt!: Date;
}

@Entity({ tableName: 'invite' })
export class Invite {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  /** SHA-256 of the code; the code itself is shown once, to its creator. */
  @Property({ type: 'text', unique: true })
  codeHash!: string;

  @Enum({ items: () => Role, type: 'text' })
  role!: Role;

  @Property({ type: 'integer' })
  maxUses!: number;

  @Property({ type: 'integer' })
  uses: number & Opt = 0;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  createdBy!: Ref<User>;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
