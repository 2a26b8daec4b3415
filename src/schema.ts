import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchema } from 'type-graphql';
import { AccountResolver } from './modules/account/account.resolver.js';
import { AuthResolver } from './modules/auth/auth.resolver.js';
import { BudgetResolver, BudgetStatusResolver } from './modules/budget/budget.resolver.js';
import { CategoryResolver } from './modules/category/category.resolver.js';
import { FamilyResolver, MemberResolver, UserFamilyResolver } from './modules/family/family.resolver.js';
import { GoalResolver } from './modules/goal/goal.resolver.js';
import { HealthResolver } from './modules/health/health.resolver.js';
import {
  BalancesChangeResolver,
  BudgetAlertResolver,
  LiveResolver,
  TransactionChangeResolver,
} from './modules/live/live.resolver.js';
import { NotificationResolver } from './modules/notification/notification.resolver.js';
import { LeavingResolver } from './modules/leaving/leaving.resolver.js';
import { PersonalTokenResolver } from './modules/pat/pat.resolver.js';
import { WebhookDeliveryResolver, WebhookResolver } from './modules/webhook/webhook.resolver.js';
import { RateResolver } from './modules/rate/rate.resolver.js';
import { OccurrenceResolver, ScheduleResolver } from './modules/schedule/schedule.resolver.js';
import { ReportResolver } from './modules/report/report.resolver.js';
import { TelegramResolver } from './modules/telegram/telegram.resolver.js';
import { TransactionResolver } from './modules/transaction/transaction.resolver.js';

export const resolvers = [
  AuthResolver,
  HealthResolver,
  FamilyResolver,
  MemberResolver,
  UserFamilyResolver,
  AccountResolver,
  CategoryResolver,
  TransactionResolver,
  BudgetResolver,
  BudgetStatusResolver,
  GoalResolver,
  RateResolver,
  ReportResolver,
  TelegramResolver,
  NotificationResolver,
  LiveResolver,
  TransactionChangeResolver,
  BalancesChangeResolver,
  BudgetAlertResolver,
  ScheduleResolver,
  OccurrenceResolver,
  PersonalTokenResolver,
  LeavingResolver,
  WebhookResolver,
  WebhookDeliveryResolver,
] as const;

/** The executable schema; also printed to schema.graphql by `npm run schema`. */
export async function createSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeISOResolver }],
    // Required once there are subscriptions, but never used: each one subscribes through its socket's
    // LiveConnection (live.resolver.ts), which checks the family for every event.
    pubSub: createPubSub(),
    validate: false,
  });
  // type-graphql has no option for the root types' descriptions; integrators read them first in Sandbox.
  schema.getQueryType()!.description =
    'Reads: your user, families, ledger, schedules, budgets, goals and reports.';
  schema.getMutationType()!.description =
    'Writes: sign-in and sessions, families, the ledger, schedules, budgets and goals.';
  schema.getSubscriptionType()!.description =
    'Live updates over WebSocket (graphql-ws protocol on /graphql): transactions, balances, alerts, notifications.';
  return schema;
}
