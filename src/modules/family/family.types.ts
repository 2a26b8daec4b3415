import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Role } from './family.entity.js';
import type { FamilyId } from './family-id.js';
import type { FamilyRow, InviteRow, MemberRow } from './family.read.js';
import { CurrencyScalar } from '../../graphql/money.types.js';

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

/** The GraphQL `Family`; resolvers receive a `FamilyRow`. */
@ObjectType('Family', { description: 'A household whose members share accounts, budgets and goals.' })
export class FamilyObject implements FamilyRow {
  @Field(() => ID, { description: 'Stable identifier of the family.' })
  id!: FamilyId;

  @Field(() => String, { description: 'Display name, e.g. "The Smiths".' })
  name!: string;

  @Field(() => CurrencyScalar, { description: 'ISO 4217 code that reports convert into.' })
  baseCurrency!: string;

  @Field(() => Int, { description: 'Day of the month (1-28) budget months start on, e.g. payday.' })
  monthStartDay!: number;

  @Field(() => String, {
    description: 'IANA time zone that dates and budget periods follow, e.g. "Europe/Berlin".',
  })
  timeZone!: string;

  @Field(() => DateTimeISOResolver, { description: 'When the family was created.' })
  createdAt!: Date;

  @Field(() => Role, { description: "The caller's role in this family." })
  myRole!: Role;
}

/** The GraphQL `Member`; resolvers receive a `MemberRow` (its user included). */
@ObjectType('Member', { description: "A user's place in a family." })
export class MemberObject implements Omit<MemberRow, 'user'> {
  @Field(() => Role, { description: 'What this member may do.' })
  role!: Role;

  @Field(() => DateTimeISOResolver, { description: 'When the member joined.' })
  joinedAt!: Date;
}

/** The GraphQL `Invite`; resolvers receive an `InviteRow`. */
@ObjectType('Invite', {
  description: 'An invitation to join a family. The code itself is only shown when created.',
})
export class InviteObject implements InviteRow {
  @Field(() => ID, { description: 'Stable identifier of the invite.' })
  id!: string;

  @Field(() => Role, { description: 'The role a user gets by joining with this invite.' })
  role!: Role;

  @Field(() => Int, { description: 'How many users may join with it.' })
  maxUses!: number;

  @Field(() => Int, { description: 'How many users have joined with it.' })
  uses!: number;

  @Field(() => DateTimeISOResolver, { description: 'After this moment the invite no longer works.' })
  expiresAt!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When it was revoked, if it was.' })
  revokedAt!: Date | null;
}

@ObjectType({ description: 'A freshly created invite and its code (shown only this once).' })
export class CreatedInvite {
  @Field(() => InviteObject, { description: 'The invite.' })
  invite!: InviteRow;

  @Field(() => String, { description: 'The code to share; joinFamily(code) accepts it.' })
  code!: string;
}
