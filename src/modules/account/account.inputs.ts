import { Field, ID, InputType } from 'type-graphql';
import { CurrencyScalar, DecimalScalar } from '../../graphql/money.types.js';
import { AccountType } from './account.entity.js';

@InputType({ description: 'A new account.' })
export class CreateAccountInput {
  @Field(() => ID, { nullable: true, description: "The family; default: the caller's default family." })
  familyId?: string | null;

  @Field(() => String, { description: 'Display name, 1 to 100 characters.' })
  name!: string;

  @Field(() => AccountType, { description: 'What kind of account it is.' })
  type!: AccountType;

  @Field(() => CurrencyScalar, {
    nullable: true,
    description: "ISO 4217 currency; default: the family's base currency.",
  })
  currency?: string | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Balance before the first transaction, may be negative (e.g. a loan); default 0.',
  })
  openingBalance?: string | null;
}

@InputType({
  description: 'Changes to an account; omitted fields stay as they are. The currency cannot change.',
})
export class UpdateAccountInput {
  @Field(() => String, { nullable: true, description: 'New display name.' })
  name?: string | null;

  @Field(() => AccountType, { nullable: true, description: 'New account type.' })
  type?: AccountType | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'New opening balance; the balance moves by the difference.',
  })
  openingBalance?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Archive (true) or restore (false) the account.' })
  archived?: boolean | null;
}
