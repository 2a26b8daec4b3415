import { Migration } from '@mikro-orm/migrations';

export class Migration20261201110100_email_tokens extends Migration {
  override async up(): Promise<void> {
    // Single-use links sent by mail: a password reset, or the confirmation of an address. Only the SHA-256
    // of a token is kept; `email` is the address it was sent to, so a link stops working when the address
    // changes.
    this.addSql(`
      create table email_token (
        id uuid primary key,
        user_id uuid not null references app_user (id) on delete cascade,
        kind text not null check (kind in ('password_reset', 'email_verification')),
        email text not null,
        token_hash text not null,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        used_at timestamptz null
      )`);
    this.addSql(`create unique index email_token_token_hash_unique on email_token (token_hash)`);
    this.addSql(`create index email_token_user_idx on email_token (user_id, kind) where used_at is null`);

    // Addresses from before verification existed keep working: their owners have been signing in with
    // them, and refusing them now would lock every existing user out until a mail arrives. From here on a
    // new or changed address starts unverified.
    this.addSql(`update app_user set email_verified = true where email is not null`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists email_token`);
  }
}
