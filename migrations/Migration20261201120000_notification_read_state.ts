import { Migration } from '@mikro-orm/migrations';

export class Migration20261201120000_notification_read_state extends Migration {
  override async up(): Promise<void> {
    // Web clients mark what the user has seen; the bot's delivery (delivered_at) is a separate matter.
    this.addSql(`alter table notification add column read_at timestamptz null`);
    // A user's notifications, newest first, and their unread count.
    this.addSql(`create index notification_user_idx on notification (user_id, seq desc)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists notification_user_idx`);
    this.addSql(`alter table notification drop column if exists read_at`);
  }
}
