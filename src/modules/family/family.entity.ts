import { randomUUID } from 'node:crypto';
import { type Opt, type Ref } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { User } from '../auth/user.entity.js';

export enum Role {
  OWNER = 'owner',
  ADMIN = 'admin',
  MEMBER = 'member',
  VIEWER = 'viewer',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'What a member may do in a family.',
  valuesConfig: {
    OWNER: { description: 'Everything, including deleting the family and managing owners.' },
    ADMIN: { description: 'Manages members, invites and settings, and writes the ledger.' },
    MEMBER: { description: 'Reads and writes the ledger, budgets and goals.' },
    VIEWER: { description: 'Reads only.' },
  },
});

/** Roles ordered by power, for "at least" checks. */
export const ROLE_RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

@ObjectType({ description: 'A household whose members share accounts, budgets and goals.' })
@Entity({ tableName: 'family' })
export class Family {
  @Field(() => ID, { description: 'Stable identifier of the family.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => String, { description: 'Display name, e.g. "The Smiths".' })
  @Property({ type: 'text' })
  name!: string;

  @Field(() => String, { description: 'ISO 4217 code that reports convert into.' })
  @Property({ type: 'string', columnType: 'char(3)' })
  baseCurrency!: string;

  @Field(() => Int, { description: 'Day of the month (1-28) budget months start on, e.g. payday.' })
  @Property({ type: 'smallint' })
  monthStartDay: number & Opt = 1;

  @Field(() => String, {
    description: 'IANA time zone that dates and budget periods follow, e.g. "Europe/Berlin".',
  })
  @Property({ type: 'text' })
  timeZone: string & Opt = 'UTC';

  @Field(() => DateTimeISOResolver, { description: 'When the family was created.' })
  @Property({ type: 'datetime' })
  createdAt!: Date;
}

@ObjectType('Member', { description: "A user's place in a family." })
@Entity({ tableName: 'membership' })
export class Membership {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Field(() => Role, { description: 'What this member may do.' })
  @Enum({ items: () => Role, type: 'text' })
  role!: Role;

  @Field(() => DateTimeISOResolver, { description: 'When the member joined.' })
  @Property({ type: 'datetime' })
  joinedAt!: Date;
}

@ObjectType({ description: 'An invitation to join a family. The code itself is only shown when created.' })
@Entity({ tableName: 'invite' })
export class Invite {
  @Field(() => ID, { description: 'Stable identifier of the invite.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  /** SHA-256 of the code; the code itself is shown once, to its creator. */
  @Property({ type: 'text', unique: true })
  codeHash!: string;

  @Field(() => Role, { description: 'The role a user gets by joining with this invite.' })
  @Enum({ items: () => Role, type: 'text' })
  role!: Role;

  @Field(() => Int, { description: 'How many users may join with it.' })
  @Property({ type: 'integer' })
  maxUses!: number;

  @Field(() => Int, { description: 'How many users have joined with it.' })
  @Property({ type: 'integer' })
  uses: number & Opt = 0;

  @Field(() => DateTimeISOResolver, { description: 'After this moment the invite no longer works.' })
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When it was revoked, if it was.' })
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  createdBy!: Ref<User>;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
