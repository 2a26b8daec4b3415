import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { selectedFields } from '../../graphql/selection.js';
import { Money, money } from '../../graphql/money.types.js';
import type { Context } from '../../context.js';
import { Account } from '../account/account.entity.js';
import type { AccountView } from '../account/account.read.js';
import { User } from '../auth/user.entity.js';
import type { UserView } from '../auth/user.read.js';
import { Category } from '../category/category.entity.js';
import type { CategoryView } from '../category/category.read.js';
import { LedgerTransaction } from './transaction.entity.js';
import {
  CreateTransactionInput,
  TransactionConnection,
  TransactionFilter,
  UpdateTransactionInput,
} from './transaction.inputs.js';
import { RELATIONS, type TransactionView } from './transaction.read.js';

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
    @Info() info: GraphQLResolveInfo,
  ): Promise<TransactionConnection> {
    const selected = selectedFields(info, ['edges', 'node']);
    const include = new Set(RELATIONS.filter((relation) => selected.has(relation)));
    return (await ctx.finance()).transactions.list(familyId, filter, first, after, include);
  }

  @Query(() => LedgerTransaction, {
    description: "One transaction; NOT_FOUND outside the caller's families.",
  })
  async transaction(
    @Arg('id', () => ID, { description: 'The transaction.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<TransactionView> {
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
  ): Promise<TransactionView> {
    return (await ctx.finance()).transactions.create(await ctx.principal(), input);
  }

  @Mutation(() => LedgerTransaction, { description: 'Changes a transaction; balances follow.' })
  async updateTransaction(
    @Arg('id', () => ID, { description: 'The transaction.' }) id: string,
    @Arg('input', () => UpdateTransactionInput, { description: 'The changes.' })
    input: UpdateTransactionInput,
    @Ctx() ctx: Context,
  ): Promise<TransactionView> {
    return (await ctx.finance()).transactions.update(id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes a transaction and undoes its effect on balances.' })
  async deleteTransaction(
    @Arg('id', () => ID, { description: 'The transaction.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await ctx.finance()).transactions.delete(id);
  }

  @FieldResolver(() => Money, { description: "How much, in the account's currency (always positive)." })
  amount(@Root() tx: TransactionView): Money {
    return money(tx.amount, tx.currency);
  }

  @FieldResolver(() => Money, {
    nullable: true,
    description: "For a transfer: how much arrived, in the destination account's currency.",
  })
  toAmount(@Root() tx: TransactionView): Money | null {
    return tx.toAmount === null || tx.toCurrency === null ? null : money(tx.toAmount, tx.toCurrency);
  }

  // A transaction is read with its related objects in one statement (transaction.read.ts).
  @FieldResolver(() => Account, { description: 'The account money left or arrived in.' })
  account(@Root() tx: TransactionView): AccountView {
    return tx.account!; // selected, so read with the transaction
  }

  @FieldResolver(() => Account, { nullable: true, description: 'Transfers: the account money arrived in.' })
  toAccount(@Root() tx: TransactionView): AccountView | null {
    return tx.toAccount;
  }

  @FieldResolver(() => Category, { nullable: true, description: 'The category, if any.' })
  category(@Root() tx: TransactionView): CategoryView | null {
    return tx.category;
  }

  @FieldResolver(() => User, { description: 'The member who recorded it.' })
  createdBy(@Root() tx: TransactionView): UserView {
    return tx.createdBy!;
  }

  @FieldResolver(() => User, { description: 'The member who paid.' })
  paidBy(@Root() tx: TransactionView): UserView {
    return tx.paidBy!;
  }
}
