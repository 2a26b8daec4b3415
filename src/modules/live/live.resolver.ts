import { filter, pipe } from '@graphql-yoga/subscription';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Arg, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../context.js';
import type { Row } from '../../db/rows.js';
import { uuidArray } from '../../db/sql.js';
import { Money } from '../../graphql/money.types.js';
import { unauthenticated } from '../../shared/errors.js';
import { ACCOUNT, type AccountRow } from '../account/account.read.js';
import { AccountObject } from '../account/account.types.js';
import type { NotificationRow } from '../notification/notification.read.js';
import { NotificationObject } from '../notification/notification.types.js';
import {
  selectTransactions,
  transactionFromRow,
  type TransactionRow,
} from '../transaction/transaction.read.js';
import { TransactionObject } from '../transaction/transaction.types.js';
import type { LiveConnection } from './live-connections.js';
import type {
  BalancesChangedEvent,
  BudgetAlertEvent,
  LiveTopic,
  NotificationEvent,
  TransactionChangedEvent,
} from './live-events.js';
import { BalancesChange, BudgetAlert, TransactionChange } from './live.types.js';

const familyArg = {
  nullable: true,
  description: "The family; default: the caller's default family.",
} as const;

function liveOf(ctx: Context): LiveConnection {
  if (ctx.live === undefined) throw unauthenticated('Subscriptions run over WebSocket.');
  return ctx.live;
}

/**
 * A family's events of one topic: the family is checked when the subscription starts (NOT_FOUND outside
 * the caller's families), and again for every event, so a member removed mid-stream (or a session that
 * ended) gets nothing more.
 */
async function familyStream(ctx: Context, topic: LiveTopic, familyId: string | null | undefined) {
  const live = liveOf(ctx);
  const family = await (await ctx.finance()).access.family(familyId);
  return pipe(
    live.subscribe(topic, family),
    filter(() => live.allows(family)),
  );
}

@Resolver()
export class LiveResolver {
  @Subscription(() => TransactionChange, {
    description: 'Each transaction of the family created, changed or deleted, by anyone (WebSocket only).',
    subscribe: ({ args, context }) => familyStream(context as Context, 'transactionChanged', args.familyId),
  })
  transactionChanged(
    @Root() event: TransactionChangedEvent,
    @Arg('familyId', () => ID, familyArg) _familyId: string | null,
  ): TransactionChangedEvent {
    return event;
  }

  @Subscription(() => BalancesChange, {
    description: "The family's accounts whose balances a write just changed (WebSocket only).",
    subscribe: ({ args, context }) => familyStream(context as Context, 'balancesChanged', args.familyId),
  })
  balancesChanged(
    @Root() event: BalancesChangedEvent,
    @Arg('familyId', () => ID, familyArg) _familyId: string | null,
  ): BalancesChangedEvent {
    return event;
  }

  @Subscription(() => BudgetAlert, {
    description: "The family's budgets crossing 80 % or 100 % of this period's limit (WebSocket only).",
    subscribe: ({ args, context }) => familyStream(context as Context, 'budgetAlert', args.familyId),
  })
  budgetAlert(
    @Root() event: BudgetAlertEvent,
    @Arg('familyId', () => ID, familyArg) _familyId: string | null,
  ): BudgetAlertEvent {
    return event;
  }

  @Subscription(() => NotificationObject, {
    description: 'Notifications recorded for the caller, as they are recorded (WebSocket only).',
    subscribe: ({ context }) => {
      const live = liveOf(context as Context);
      return pipe(
        live.subscribe('notificationAdded', live.userId),
        filter(() => live.live()),
      );
    },
  })
  notificationAdded(@Root() event: NotificationEvent): NotificationRow {
    return { ...event, createdAt: new Date(event.createdAt), readAt: null };
  }
}

@Resolver(() => TransactionChange)
export class TransactionChangeResolver {
  @FieldResolver(() => TransactionObject, {
    nullable: true,
    description: 'The transaction as it is now; null once deleted.',
  })
  transaction(
    @Root() event: TransactionChangedEvent,
    @Ctx() ctx: Context,
  ): Promise<TransactionRow | null> | null {
    if (event.change === 'DELETED') return null;
    return liveOf(ctx).shared(`${event.eventId}:transaction`, (em) => readTransaction(em, event));
  }
}

@Resolver(() => BalancesChange)
export class BalancesChangeResolver {
  @FieldResolver(() => [AccountObject], { description: 'The accounts, with their new balances.' })
  accounts(@Root() event: BalancesChangedEvent, @Ctx() ctx: Context): Promise<AccountRow[]> {
    return liveOf(ctx).shared(`${event.eventId}:accounts`, (em) => readAccounts(em, event));
  }
}

@Resolver(() => BudgetAlert)
export class BudgetAlertResolver {
  @FieldResolver(() => Money, { description: 'Spent this period.' })
  spent(@Root() event: BudgetAlertEvent): Money {
    return event.spent;
  }

  @FieldResolver(() => Money, { description: 'Available this period (the limit plus any rollover).' })
  available(@Root() event: BudgetAlertEvent): Money {
    return event.available;
  }
}

/** The event's transaction, within the event's family (which the subscriber's stream checked). */
async function readTransaction(
  em: EntityManager,
  event: TransactionChangedEvent,
): Promise<TransactionRow | null> {
  const rows = await em.execute<Row[]>(`${selectTransactions()} where t.id = ? and t.family_id = ?`, [
    event.transactionId,
    event.familyId,
  ]);
  return rows[0] === undefined ? null : transactionFromRow(rows[0]);
}

async function readAccounts(em: EntityManager, event: BalancesChangedEvent): Promise<AccountRow[]> {
  const rows = await em.execute<Row[]>(
    `select ${ACCOUNT.select('a')} from account a where a.id = any(?::uuid[]) and a.family_id = ? order by a.name`,
    [uuidArray(event.accountIds), event.familyId],
  );
  return rows.map((row) => ACCOUNT.read(row));
}
