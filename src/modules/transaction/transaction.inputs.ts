import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DecimalScalar } from '../../graphql/money.types.js';
import { TransactionKind } from './transaction.entity.js';
import type { TransactionRow } from './transaction.read.js';
import { TransactionObject } from './transaction.types.js';

@InputType({ description: 'A new expense, income or transfer.' })
export class CreateTransactionInput {
  @Field(() => TransactionKind, { description: 'Expense, income or transfer.' })
  kind!: TransactionKind;

  @Field(() => DecimalScalar, { description: 'Positive amount in the account\'s currency, e.g. "12.50".' })
  amount!: string;

  @Field(() => ID, { description: 'The account money leaves (expense, transfer) or arrives in (income).' })
  accountId!: string;

  @Field(() => ID, { nullable: true, description: 'Transfers only: the account money arrives in.' })
  toAccountId?: string | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      "Transfers only: the amount that arrived, in the destination's currency. Required across currencies.",
  })
  toAmount?: string | null;

  @Field(() => ID, { nullable: true, description: 'Category of the same kind (not for transfers).' })
  categoryId?: string | null;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: "Day it happened, YYYY-MM-DD; default: today in the family's time zone.",
  })
  occurredOn?: string | null;

  @Field(() => String, { nullable: true, description: 'Free text, up to 500 characters.' })
  note?: string | null;

  @Field(() => [String], { nullable: true, description: 'Tags, up to 10 of up to 50 characters.' })
  tags?: string[] | null;

  @Field(() => ID, { nullable: true, description: 'The member who paid; default: the caller.' })
  paidById?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Makes a retried create return the first result instead of recording twice (unique per family). ' +
      'The same key with a different payload answers CONFLICT.',
  })
  idempotencyKey?: string | null;
}

@InputType({ description: 'Changes to a transaction; omitted fields stay as they are. Balances follow.' })
export class UpdateTransactionInput {
  @Field(() => TransactionKind, { nullable: true, description: 'New kind.' })
  kind?: TransactionKind | null;

  @Field(() => DecimalScalar, { nullable: true, description: "New amount, in the (new) account's currency." })
  amount?: string | null;

  @Field(() => ID, { nullable: true, description: 'Move to another account of the family.' })
  accountId?: string | null;

  @Field(() => ID, { nullable: true, description: 'New destination account (transfers).' })
  toAccountId?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'New received amount (transfers).' })
  toAmount?: string | null;

  @Field(() => ID, { nullable: true, description: 'New category.' })
  categoryId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'True removes the category.' })
  clearCategory?: boolean | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'New day, YYYY-MM-DD.' })
  occurredOn?: string | null;

  @Field(() => String, { nullable: true, description: 'New note; an empty string removes it.' })
  note?: string | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the tags.' })
  tags?: string[] | null;

  @Field(() => ID, { nullable: true, description: 'New payer (a member of the family).' })
  paidById?: string | null;
}

@InputType({ description: 'Narrows a transaction list; every given condition must hold.' })
export class TransactionFilter {
  @Field(() => [ID], {
    nullable: true,
    description: 'Touching any of these accounts (either side of a transfer).',
  })
  accountIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'In any of these categories or their subcategories.' })
  categoryIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Paid by any of these members (user ids).' })
  memberIds?: string[] | null;

  @Field(() => [TransactionKind], { nullable: true, description: 'Of any of these kinds.' })
  kinds?: TransactionKind[] | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'On or after this day, YYYY-MM-DD.' })
  dateFrom?: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'On or before this day, YYYY-MM-DD.' })
  dateTo?: string | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: "Amount at least this much (in each transaction's currency).",
  })
  amountMin?: string | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: "Amount at most this much (in each transaction's currency).",
  })
  amountMax?: string | null;

  @Field(() => String, { nullable: true, description: 'Note contains this text (case-insensitive).' })
  noteContains?: string | null;
}

@ObjectType({ description: 'Where a page of results stands (Relay cursor connections).' })
export class PageInfo {
  @Field(() => Boolean, {
    description: 'Whether more items follow this page (paging forward; false when paging backward).',
  })
  hasNextPage!: boolean;

  @Field(() => Boolean, {
    description: 'Whether more items precede this page (paging backward; false when paging forward).',
  })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `before` to get the page before this one.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

@ObjectType({ description: 'A transaction and its position in the list.' })
export class TransactionEdge {
  @Field(() => String, { description: 'Opaque position of this item.' })
  cursor!: string;

  @Field(() => TransactionObject, { description: 'The transaction.' })
  node!: TransactionRow;
}

@ObjectType({ description: 'A page of transactions, newest first.' })
export class TransactionConnection {
  @Field(() => [TransactionEdge], { description: 'The items of this page.' })
  edges!: TransactionEdge[];

  @Field(() => PageInfo, { description: 'Whether there is more, and from where.' })
  pageInfo!: PageInfo;

  @Field(() => Int, {
    description: 'How many transactions meet the filter, on every page together (counted only when asked).',
  })
  totalCount!: number;
}

/** Which page of a list: Relay's first/after (forward) or last/before (backward). */
export interface PageRequest {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 100;
