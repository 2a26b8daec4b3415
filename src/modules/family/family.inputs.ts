import { Field, ID, InputType, Int } from 'type-graphql';
import { Role } from './family.entity.js';
import { CurrencyScalar } from '../../graphql/money.types.js';

@InputType({ description: 'A new family; the caller becomes its owner.' })
export class CreateFamilyInput {
  @Field(() => String, { description: 'Display name, 1 to 100 characters.' })
  name!: string;

  @Field(() => CurrencyScalar, {
    nullable: true,
    description: 'ISO 4217 base currency; default from server config.',
  })
  baseCurrency?: string | null;

  @Field(() => Int, { nullable: true, description: 'Day budget months start on, 1 to 28; default 1.' })
  monthStartDay?: number | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone; default UTC.' })
  timeZone?: string | null;
}

@InputType({ description: "Changes to a family's settings; omitted fields stay as they are." })
export class UpdateFamilyInput {
  @Field(() => String, { nullable: true, description: 'New display name.' })
  name?: string | null;

  @Field(() => CurrencyScalar, { nullable: true, description: 'New ISO 4217 base currency.' })
  baseCurrency?: string | null;

  @Field(() => Int, { nullable: true, description: 'New month start day, 1 to 28.' })
  monthStartDay?: number | null;

  @Field(() => String, { nullable: true, description: 'New IANA time zone.' })
  timeZone?: string | null;
}

@InputType({ description: 'A new invitation to a family.' })
export class CreateInviteInput {
  @Field(() => ID, { description: 'The family to invite into.' })
  familyId!: string;

  @Field(() => Role, { defaultValue: Role.MEMBER, description: 'Role of those who join (not OWNER).' })
  role!: Role;

  @Field(() => Int, {
    defaultValue: 168,
    description: 'Hours until the invite expires, 1 to 720; default a week.',
  })
  expiresInHours!: number;

  @Field(() => Int, { defaultValue: 1, description: 'How many users may join with it, 1 to 100.' })
  maxUses!: number;
}
