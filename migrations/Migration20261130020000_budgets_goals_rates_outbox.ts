import { Migration } from '@mikro-orm/migrations';

export class Migration20261130020000_budgets_goals_rates_outbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table budget (
        id uuid primary key,
        family_id uuid not null references family (id) on delete cascade,
        category_id uuid null references category (id) on delete cascade,
        amount bigint not null check (amount > 0),
        currency char(3) not null,
        rollover boolean not null default false,
        starts_on date not null,
        archived boolean not null default false,
        created_at timestamptz not null
      )`);
    this.addSql(`create index budget_family_idx on budget (family_id, archived)`);
    this.addSql(`create index budget_category_idx on budget (category_id)`);

    this.addSql(`
      create table goal (
        id uuid primary key,
        family_id uuid not null references family (id) on delete cascade,
        name text not null,
        target bigint not null check (target > 0),
        currency char(3) not null,
        deadline date null,
        account_id uuid null references account (id) on delete set null,
        archived boolean not null default false,
        created_at timestamptz not null
      )`);
    this.addSql(`create index goal_family_idx on goal (family_id, archived)`);
    this.addSql(`
      create table goal_contribution (
        id uuid primary key,
        goal_id uuid not null references goal (id) on delete cascade,
        family_id uuid not null references family (id) on delete cascade,
        amount bigint not null check (amount <> 0),
        occurred_on date not null,
        note text null,
        created_by_id uuid not null references app_user (id),
        created_at timestamptz not null
      )`);
    this.addSql(`create index goal_contribution_goal_idx on goal_contribution (goal_id, occurred_on)`);

    this.addSql(`
      create table exchange_rate (
        id uuid primary key,
        family_id uuid not null references family (id) on delete cascade,
        base char(3) not null,
        quote char(3) not null,
        rate numeric(30, 12) not null check (rate > 0),
        on_date date not null,
        created_at timestamptz not null,
        constraint exchange_rate_unique unique (family_id, base, quote, on_date),
        constraint exchange_rate_pair check (base <> quote)
      )`);

    // Transactional outbox: written in the same database transaction as the change that caused it.
    this.addSql(`
      create table notification (
        id uuid primary key,
        seq bigint generated always as identity,
        family_id uuid null references family (id) on delete cascade,
        user_id uuid not null references app_user (id) on delete cascade,
        kind text not null,
        payload jsonb not null,
        dedupe_key text not null,
        created_at timestamptz not null,
        delivered_at timestamptz null
      )`);
    this.addSql(`create unique index notification_dedupe_unique on notification (dedupe_key)`);
    this.addSql(`create index notification_pending_idx on notification (seq) where delivered_at is null`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists notification`);
    this.addSql(`drop table if exists exchange_rate`);
    this.addSql(`drop table if exists goal_contribution`);
    this.addSql(`drop table if exists goal`);
    this.addSql(`drop table if exists budget`);
  }
}
