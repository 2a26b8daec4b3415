import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Money, money } from '../../graphql/money.types.js';
import type { Context } from '../../context.js';
import type { AccountRow } from './account.read.js';
import { AccountObject } from './account.types.js';
import { CreateAccountInput, UpdateAccountInput } from './account.inputs.js';

@Resolver(() => AccountObject)
export class AccountResolver {
  @Query(() => [AccountObject], { description: "The family's accounts with their balances." })
  async accounts(
    @Arg('familyId', () => ID, {
      nullable: true,
      description: "The family; default: the caller's default family.",
    })
    familyId: string | null,
    @Arg('includeArchived', () => Boolean, {
      defaultValue: false,
      description: 'Also list archived accounts.',
    })
    includeArchived: boolean,
    @Ctx() ctx: Context,
  ): Promise<AccountRow[]> {
    return (await ctx.finance()).accounts.list(familyId, includeArchived);
  }

  @Query(() => AccountObject, {
    nullable: true,
    description:
      "One account; null, with NOT_FOUND in `errors`, outside the caller's families (the rest of the response stays).",
  })
  async account(
    @Arg('id', () => ID, { description: 'The account.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<AccountRow> {
    return (await ctx.finance()).accounts.get(id);
  }

  @Mutation(() => AccountObject, { description: 'Creates an account (members and up).' })
  async createAccount(
    @Arg('input', () => CreateAccountInput, { description: 'The new account.' }) input: CreateAccountInput,
    @Ctx() ctx: Context,
  ): Promise<AccountRow> {
    return (await ctx.finance()).accounts.create(input);
  }

  @Mutation(() => AccountObject, {
    description: 'Renames, retypes, archives an account or corrects its opening balance.',
  })
  async updateAccount(
    @Arg('id', () => ID, { description: 'The account.' }) id: string,
    @Arg('input', () => UpdateAccountInput, { description: 'The changes.' }) input: UpdateAccountInput,
    @Ctx() ctx: Context,
  ): Promise<AccountRow> {
    return (await ctx.finance()).accounts.update(id, input);
  }

  @FieldResolver(() => Money, { description: 'Current balance: opening balance plus every transaction.' })
  balance(@Root() account: AccountRow): Money {
    return money(account.balance, account.currency);
  }

  @FieldResolver(() => Money, { description: 'Balance before the first recorded transaction.' })
  openingBalance(@Root() account: AccountRow): Money {
    return money(account.openingBalance, account.currency);
  }
}
