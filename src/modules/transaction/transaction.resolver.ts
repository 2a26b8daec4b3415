import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { selectedFields } from '../../graphql/selection.js';
import { Money, money } from '../../graphql/money.types.js';
import type { Context } from '../../context.js';
import type { AccountRow } from '../account/account.read.js';
import { AccountObject } from '../account/account.types.js';
import type { UserRow } from '../auth/user.read.js';
import { UserObject } from '../auth/user.types.js';
import type { CategoryRow } from '../category/category.read.js';
import { CategoryObject } from '../category/category.types.js';
import {
  CreateTransactionInput,
  TransactionConnection,
  TransactionFilter,
  UpdateTransactionInput,
} from './transaction.inputs.js';
import { RELATIONS, type TransactionRow } from './transaction.read.js';
import { TransactionObject } from './transaction.types.js';

@Resolver(() => TransactionObject)
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
    @Arg('first', () => Int, {
      nullable: true,
      description: 'Paging forward: page size, 1 to 100; default 50.',
    })
    first: number | null,
    @Arg('after', () => String, {
      nullable: true,
      description: 'Paging forward: the endCursor of the previous page.',
    })
    after: string | null,
    @Arg('last', () => Int, {
      nullable: true,
      description: 'Paging backward: page size, 1 to 100 (not with first).',
    })
    last: number | null,
    @Arg('before', () => String, {
      nullable: true,
      description: 'Paging backward: the startCursor of the page after the one wanted.',
    })
    before: string | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TransactionConnection> {
    const selected = selectedFields(info, ['edges', 'node']);
    const include = new Set(RELATIONS.filter((relation) => selected.has(relation)));
    const countTotal = selectedFields(info, []).has('totalCount');
    return (await ctx.finance()).transactions.reads.list(
      familyId,
      filter,
      { first, after, last, before },
      include,
      countTotal,
    );
  }

  @Query(() => TransactionObject, {
    nullable: true,
    description:
      "One transaction; null, with NOT_FOUND in `errors`, outside the caller's families (the rest of the response stays).",
  })
  async transaction(
    @Arg('id', () => ID, { description: 'The transaction.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<TransactionRow> {
    return (await ctx.finance()).transactions.reads.get(id);
  }

  @Mutation(() => TransactionObject, {
    description:
      'Records an expense, income or transfer and moves the balances. Idempotent with idempotencyKey.',
  })
  async createTransaction(
    @Arg('input', () => CreateTransactionInput, { description: 'The transaction.' })
    input: CreateTransactionInput,
    @Ctx() ctx: Context,
  ): Promise<TransactionRow> {
    return (await ctx.finance()).transactions.create(await ctx.principal(), input);
  }

  @Mutation(() => TransactionObject, { description: 'Changes a transaction; balances follow.' })
  async updateTransaction(
    @Arg('id', () => ID, { description: 'The transaction.' }) id: string,
    @Arg('input', () => UpdateTransactionInput, { description: 'The changes.' })
    input: UpdateTransactionInput,
    @Ctx() ctx: Context,
  ): Promise<TransactionRow> {
    return (await ctx.finance()).transactions.update(id, input);
  }

  @Mutation(() => ID, {
    description:
      'Deletes a transaction and undoes its effect on balances; answers its id, for client caches to evict.',
  })
  async deleteTransaction(
    @Arg('id', () => ID, { description: 'The transaction.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<string> {
    return (await ctx.finance()).transactions.delete(id);
  }

  @FieldResolver(() => Money, { description: "How much, in the account's currency (always positive)." })
  amount(@Root() tx: TransactionRow): Money {
    return money(tx.amount, tx.currency);
  }

  @FieldResolver(() => Money, {
    nullable: true,
    description: "For a transfer: how much arrived, in the destination account's currency.",
  })
  toAmount(@Root() tx: TransactionRow): Money | null {
    return tx.toAmount === null || tx.toCurrency === null ? null : money(tx.toAmount, tx.toCurrency);
  }

  // A transaction is read with its related objects in one statement (transaction.read.ts).
  @FieldResolver(() => AccountObject, { description: 'The account money left or arrived in.' })
  account(@Root() tx: TransactionRow): AccountRow {
    return tx.account!; // selected, so read with the transaction
  }

  @FieldResolver(() => AccountObject, {
    nullable: true,
    description: 'Transfers: the account money arrived in.',
  })
  toAccount(@Root() tx: TransactionRow): AccountRow | null {
    return tx.toAccount;
  }

  @FieldResolver(() => CategoryObject, { nullable: true, description: 'The category, if any.' })
  category(@Root() tx: TransactionRow): CategoryRow | null {
    return tx.category;
  }

  @FieldResolver(() => UserObject, { description: 'The member who recorded it.' })
  createdBy(@Root() tx: TransactionRow): UserRow {
    return tx.createdBy!;
  }

  @FieldResolver(() => UserObject, { description: 'The member who paid.' })
  paidBy(@Root() tx: TransactionRow): UserRow {
    return tx.paidBy!;
  }
}
