import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { Account } from './account.entity.js';
import { CreateAccountInput, UpdateAccountInput } from './account.inputs.js';

@Resolver(() => Account)
export class AccountResolver {
  @Query(() => [Account], { description: "The family's accounts with their balances." })
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
  ): Promise<Account[]> {
    return (await ctx.finance()).accounts.list(familyId, includeArchived);
  }

  @Query(() => Account, { description: "One account; NOT_FOUND outside the caller's families." })
  async account(
    @Arg('id', () => ID, { description: 'The account.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Account> {
    return (await ctx.finance()).accounts.get(id);
  }

  @Mutation(() => Account, { description: 'Creates an account (members and up).' })
  async createAccount(
    @Arg('input', () => CreateAccountInput, { description: 'The new account.' }) input: CreateAccountInput,
    @Ctx() ctx: Context,
  ): Promise<Account> {
    return (await ctx.finance()).accounts.create(input);
  }

  @Mutation(() => Account, {
    description: 'Renames, retypes, archives an account or corrects its opening balance.',
  })
  async updateAccount(
    @Arg('id', () => ID, { description: 'The account.' }) id: string,
    @Arg('input', () => UpdateAccountInput, { description: 'The changes.' }) input: UpdateAccountInput,
    @Ctx() ctx: Context,
  ): Promise<Account> {
    return (await ctx.finance()).accounts.update(id, input);
  }
}
