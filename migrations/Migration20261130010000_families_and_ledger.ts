import { Migration } from '@mikro-orm/migrations';

export class Migration20261130010000_families_and_ledger extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table family (
        id uuid primary key,
        name text not null,
        base_currency char(3) not null,
        month_start_day smallint not null default 1 check (month_start_day between 1 and 28),
        time_zone text not null default 'UTC',
        created_at timestamptz not null
      )`);
    this.addSql(
      `alter table app_user add column default_family_id uuid null references family (id) on delete set null`,
    );

    this.addSql(`
      create table membership (
        id uuid primary key,
        family_id uuid not null references family (id) on delete cascade,
        user_id uuid not null references app_user (id) on delete cascade,
        role text not null check (role in ('owner', 'admin', 'member', 'viewer')),
        joined_at timestamptz not null,
        constraint membership_family_user_unique unique (family_id, user_id)
      )`);
    this.addSql(`create index membership_user_idx on membership (user_id)`);

    this.addSql(`
      create table invite (
        id uuid primary key,
        family_id uuid not null references family (id) on delete cascade,
        code_hash text not null,
        role text not null check (role in ('admin', 'member', 'viewer')),
        max_uses integer not null check (max_uses > 0),
        uses integer not null default 0,
        expires_at timestamptz not null,
        revoked_at timestamptz null,
        created_by_id uuid not null references app_user (id) on delete cascade,
        created_at timestamptz not null
      )`);
    this.addSql(`create unique index invite_code_hash_unique on invite (code_hash)`);
    this.addSql(`create index invite_family_idx on invite (family_id)`);

    this.addSql(`
      create table account (
        id uuid primary key,
        family_id uuid not null references family (id) on delete cascade,
        name text not null,
        type text not null check (type in ('cash', 'checking', 'savings', 'credit_card', 'loan', 'investment')),
        currency char(3) not null,
        opening_balance bigint not null default 0,
        balance bigint not null default 0,
        archived boolean not null default false,
        created_at timestamptz not null
      )`);
    this.addSql(`create index account_family_idx on account (family_id, archived, name)`);

    this.addSql(`
      create table category (
        id uuid primary key,
        family_id uuid not null references family (id) on delete cascade,
        kind text not null check (kind in ('income', 'expense')),
        name text not null,
        parent_id uuid null references category (id) on delete cascade,
        aliases text[] not null default '{}',
        archived boolean not null default false,
        created_at timestamptz not null
      )`);
    this.addSql(`create index category_family_idx on category (family_id, kind)`);
    this.addSql(`create index category_parent_idx on category (parent_id)`);
    this.addSql(
      `create unique index category_family_parent_name_unique on category (family_id, coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name))`,
    );

    this.addSql(`
      create table ledger_transaction (
        id uuid primary key,
        seq bigint generated always as identity,
        family_id uuid not null references family (id) on delete cascade,
        kind text not null check (kind in ('expense', 'income', 'transfer')),
        occurred_on date not null,
        amount bigint not null check (amount > 0),
        currency char(3) not null,
        account_id uuid not null references account (id) on delete cascade,
        to_account_id uuid null references account (id) on delete cascade,
        to_amount bigint null check (to_amount > 0),
        to_currency char(3) null,
        category_id uuid null references category (id) on delete set null,
        note text null,
        tags text[] not null default '{}',
        created_by_id uuid not null references app_user (id),
        paid_by_id uuid not null references app_user (id),
        idempotency_key text null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        constraint ledger_transaction_transfer_shape check (
          (kind = 'transfer') = (to_account_id is not null and to_amount is not null and to_currency is not null)
          and (kind <> 'transfer' or category_id is null)
          and (to_account_id is null or to_account_id <> account_id)
        )
      )`);
    this.addSql(`create unique index ledger_transaction_seq_unique on ledger_transaction (seq)`);
    this.addSql(
      `create unique index ledger_transaction_idempotency_unique on ledger_transaction (family_id, idempotency_key) where idempotency_key is not null`,
    );
    // Listing (newest first, keyset) and reports by period.
    this.addSql(
      `create index ledger_transaction_family_date_idx on ledger_transaction (family_id, occurred_on desc, seq desc) include (kind, amount, currency, category_id, paid_by_id)`,
    );
    this.addSql(
      `create index ledger_transaction_account_idx on ledger_transaction (account_id, occurred_on desc, seq desc)`,
    );
    this.addSql(
      `create index ledger_transaction_to_account_idx on ledger_transaction (to_account_id, occurred_on desc, seq desc) where to_account_id is not null`,
    );
    this.addSql(
      `create index ledger_transaction_category_idx on ledger_transaction (category_id, occurred_on desc)`,
    );
    this.addSql(
      `create index ledger_transaction_paid_by_idx on ledger_transaction (paid_by_id, occurred_on desc)`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists ledger_transaction`);
    this.addSql(`drop table if exists category`);
    this.addSql(`drop table if exists account`);
    this.addSql(`drop table if exists invite`);
    this.addSql(`drop table if exists membership`);
    this.addSql(`alter table app_user drop column if exists default_family_id`);
    this.addSql(`drop table if exists family`);
  }
}
