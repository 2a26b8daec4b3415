import { MikroORM, type Options } from '@mikro-orm/core';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { migrationsList } from '../../migrations/index.js';
import { Account } from '../modules/account/account.entity.js';
import { RefreshToken } from '../modules/auth/refresh-token.entity.js';
import { Budget } from '../modules/budget/budget.entity.js';
import { Session } from '../modules/auth/session.entity.js';
import { User } from '../modules/auth/user.entity.js';
import { Category } from '../modules/category/category.entity.js';
import { Family, Invite, Membership } from '../modules/family/family.entity.js';
import { Goal, GoalContribution } from '../modules/goal/goal.entity.js';
import { Notification } from '../modules/notification/notification.entity.js';
import { Schedule } from '../modules/schedule/schedule.entity.js';
import { PersonalAccessToken } from '../modules/pat/pat.entity.js';
import { ExchangeRate } from '../modules/rate/exchange-rate.entity.js';
import { LedgerTransaction } from '../modules/transaction/transaction.entity.js';

export const entities = [
  User,
  Session,
  RefreshToken,
  Family,
  Membership,
  Invite,
  Account,
  Category,
  LedgerTransaction,
  Budget,
  Goal,
  GoalContribution,
  ExchangeRate,
  Notification,
  Schedule,
  PersonalAccessToken,
];

export function ormOptions(clientUrl: string, poolMax: number): Partial<Options<PostgreSqlDriver>> {
  return {
    driver: PostgreSqlDriver,
    clientUrl,
    entities,
    extensions: [Migrator],
    // Entities and migrations are listed explicitly: no folder scanning, same behaviour under tsx and vitest.
    // tsx emits no decorator metadata, so every decorator names its type and this provider only reads them.
    metadataProvider: ReflectMetadataProvider,
    migrations: {
      migrationsList,
      tableName: 'mikro_orm_migrations',
      silent: true,
      snapshot: false,
      transactional: true,
      allOrNothing: true,
    },
    pool: { min: 0, max: poolMax },
    // How long a statement waits for a pooled connection (knex's default; pg's own is forever).
    driverOptions: { connectionTimeoutMillis: 60_000 },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: false,
  };
}

export type Orm = MikroORM<PostgreSqlDriver>;

export async function openOrm(clientUrl: string, poolMax: number): Promise<Orm> {
  return MikroORM.init(ormOptions(clientUrl, poolMax));
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}
