import { Migration } from '@mikro-orm/migrations';

export class Migration20261201140000_personal_access_tokens extends Migration {
  override async up(): Promise<void> {
    // Only the SHA-256 of a secret is kept; the secret itself is shown once, when it is created (K1).
    this.addSql(`
      create table personal_access_token (
        id uuid primary key,
        user_id uuid not null references app_user (id) on delete cascade,
        family_id uuid not null references family (id) on delete cascade,
        name text not null,
        scopes text[] not null,
        token_hash text not null unique,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        revoked_at timestamptz null,
        last_used_at timestamptz null,
        last_used_ip text null
      )`);
    this.addSql(`create index personal_access_token_user_idx on personal_access_token (user_id, created_at)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists personal_access_token`);
  }
}
