import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { AccountType } from './account.entity.js';
import type { AccountRow } from './account.read.js';
import { CurrencyScalar } from '../../graphql/money.types.js';

registerEnumType(AccountType, {
  name: 'AccountType',
  description: 'What kind of account this is.',
  valuesConfig: {
    CASH: { description: 'Notes and coins, a wallet.' },
    CHECKING: { description: 'An everyday bank account.' },
    SAVINGS: { description: 'A savings account.' },
    CREDIT_CARD: { description: 'A credit card; its balance is usually negative.' },
    LOAN: { description: 'A loan or mortgage; its balance is usually negative.' },
    INVESTMENT: { description: 'A brokerage or pension account.' },
  },
});

/** The GraphQL `Account`; resolvers receive an `AccountRow` (balances as Money in account.resolver.ts). */
@ObjectType('Account', { description: 'A place money is kept, in one currency.' })
export class AccountObject implements Omit<AccountRow, 'balance' | 'openingBalance'> {
  @Field(() => ID, { description: 'Stable identifier of the account.' })
  id!: string;

  @Field(() => String, { description: 'Display name, e.g. "Wallet" or "Joint checking".' })
  name!: string;

  @Field(() => AccountType, { description: 'What kind of account this is.' })
  type!: AccountType;

  @Field(() => CurrencyScalar, { description: "ISO 4217 code of the account's currency." })
  currency!: string;

  @Field(() => Boolean, { description: 'Archived accounts are hidden from pickers but keep their history.' })
  archived!: boolean;

  @Field(() => DateTimeISOResolver, { description: 'When the account was created.' })
  createdAt!: Date;
}
