import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { related } from '../../graphql/loaders.js';
import { Account } from '../account/account.entity.js';
import { User } from '../auth/user.entity.js';
import { Category } from '../category/category.entity.js';
import { LedgerTransaction } from './transaction.entity.js';
import {
  CreateTransactionInput,
  TransactionConnection,
  TransactionFilter,
  UpdateTransactionInput,
} from './transaction.inputs.js';

@Resolver(() => LedgerTransaction)
export class TransactionResolver {
  @Query(() => TransactionConnection, {
    description: "The family's transactions, newest first, a page at a time.",
  })
  async transactions(
    @Arg('familyId', () => ID, {
      nullable: true,
      description: "The family; default: the caller's default family.",
    })
    familyId: string | null,
    @Arg('filter', () => TransactionFilter, { nullable: true, description: 'Conditions every item meets.' })
    filter: TransactionFilter | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1 to 100; default 50.' })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<TransactionConnection> {
    return (await ctx.finance()).transactions.list(familyId, filter, first, after);
  }

  @Query(() => LedgerTransaction, {
    description: "One transaction; NOT_FOUND outside the caller's families.",
  })
  async transaction(
    @Arg('id', () => ID, { description: 'The transaction.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<LedgerTransaction> {
    return (await ctx.finance()).transactions.get(id);
  }

  @Mutation(() => LedgerTransaction, {
    description:
      'Records an expense, income or transfer and moves the balances. Idempotent with idempotencyKey.',
  })
  async createTransaction(
    @Arg('input', () => CreateTransactionInput, { description: 'The transaction.' })
    input: CreateTransactionInput,
    @Ctx() ctx: Context,
  ): Promise<LedgerTransaction> {
    return (await ctx.finance()).transactions.create(await ctx.principal(), input);
  }

  @Mutation(() => LedgerTransaction, { description: 'Changes a transaction; balances follow.' })
  async updateTransaction(
    @Arg('id', () => ID, { description: 'The transaction.' }) id: string,
    @Arg('input', () => UpdateTransactionInput, { description: 'The changes.' })
    input: UpdateTransactionInput,
    @Ctx() ctx: Context,
  ): Promise<LedgerTransaction> {
    return (await ctx.finance()).transactions.update(id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes a transaction and undoes its effect on balances.' })
  async deleteTransaction(
    @Arg('id', () => ID, { description: 'The transaction.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await ctx.finance()).transactions.delete(id);
  }

  @FieldResolver(() => Account, { description: 'The account money left or arrived in.' })
  async account(@Root() tx: LedgerTransaction, @Ctx() ctx: Context): Promise<Account> {
    return (await related(tx.account, ctx.loaders.account))!;
  }

  @FieldResolver(() => Account, { nullable: true, description: 'Transfers: the account money arrived in.' })
  async toAccount(@Root() tx: LedgerTransaction, @Ctx() ctx: Context): Promise<Account | null> {
    return tx.toAccount === null ? null : related(tx.toAccount, ctx.loaders.account);
  }

  @FieldResolver(() => Category, { nullable: true, description: 'The category, if any.' })
  async category(@Root() tx: LedgerTransaction, @Ctx() ctx: Context): Promise<Category | null> {
    return tx.category === null ? null : related(tx.category, ctx.loaders.category);
  }

  @FieldResolver(() => User, { description: 'The member who recorded it.' })
  async createdBy(@Root() tx: LedgerTransaction, @Ctx() ctx: Context): Promise<User> {
    return (await related(tx.createdBy, ctx.loaders.user))!;
  }

  @FieldResolver(() => User, { description: 'The member who paid.' })
  async paidBy(@Root() tx: LedgerTransaction, @Ctx() ctx: Context): Promise<User> {
    return (await related(tx.paidBy, ctx.loaders.user))!;
  }
}
