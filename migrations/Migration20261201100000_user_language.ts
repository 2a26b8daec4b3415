import { Migration } from '@mikro-orm/migrations';

/** The language a user chose for the bot's replies; null until they choose (Telegram's own is used). */
export class Migration20261201100000_user_language extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table app_user add column if not exists language text null`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table app_user drop column if exists language`);
  }
}
