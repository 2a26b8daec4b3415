import { Migration } from '@mikro-orm/migrations';

export class Migration20261130030000_telegram_identity extends Migration {
  override async up(): Promise<void> {
    // Which client opened a session, so unlinking Telegram can end exactly the bot's sessions.
    this.addSql(
      `alter table auth_session add column via text not null default 'web' check (via in ('web', 'telegram'))`,
    );
    this.addSql(
      `create index auth_session_user_via_idx on auth_session (user_id, via) where revoked_at is null`,
    );
    // A bot replica leases what it is delivering, so two replicas never send the same message.
    this.addSql(`alter table notification add column leased_until timestamptz null`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table notification drop column if exists leased_until`);
    this.addSql(`drop index if exists auth_session_user_via_idx`);
    this.addSql(`alter table auth_session drop column if exists via`);
  }
}
