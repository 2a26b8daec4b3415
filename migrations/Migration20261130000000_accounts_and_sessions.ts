import { Migration } from '@mikro-orm/migrations';

export class Migration20261130000000_accounts_and_sessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table app_user (
        id uuid primary key,
        email text null,
        password_hash text null,
        telegram_id bigint null,
        email_verified boolean not null default false,
        first_name text not null,
        last_name text null,
        failed_login_count integer not null default 0,
        locked_until timestamptz null,
        created_at timestamptz not null,
        constraint app_user_email_lower check (email = lower(email)),
        constraint app_user_has_identity check (email is not null or telegram_id is not null)
      )`);
    this.addSql(`create unique index app_user_email_unique on app_user (email)`);
    this.addSql(`create unique index app_user_telegram_id_unique on app_user (telegram_id)`);

    this.addSql(`
      create table auth_session (
        id uuid primary key,
        user_id uuid not null references app_user (id) on delete cascade,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        revoked_at timestamptz null,
        revoked_reason text null,
        user_agent text null
      )`);
    this.addSql(`create index auth_session_user_live_idx on auth_session (user_id) where revoked_at is null`);

    this.addSql(`
      create table refresh_token (
        id uuid primary key,
        session_id uuid not null references auth_session (id) on delete cascade,
        token_hash text not null,
        parent_id uuid null references refresh_token (id) on delete set null,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        revoked_at timestamptz null
      )`);
    this.addSql(`create unique index refresh_token_token_hash_unique on refresh_token (token_hash)`);
    this.addSql(`create index refresh_token_session_idx on refresh_token (session_id)`);
    this.addSql(`create index refresh_token_parent_idx on refresh_token (parent_id)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists refresh_token`);
    this.addSql(`drop table if exists auth_session`);
    this.addSql(`drop table if exists app_user`);
  }
}
