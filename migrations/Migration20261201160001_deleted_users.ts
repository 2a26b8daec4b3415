import { Migration } from '@mikro-orm/migrations';

/**
 * deleteAccount (issue 14): a user whose transactions other members still see stays as an anonymous row
 * ("Deleted user", no address, Telegram id or password), marked by `deleted_at`; such a row needs no
 * identity.
 */
export class Migration20261201160001_deleted_users extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table app_user add column if not exists deleted_at timestamptz null`);
    this.addSql(`alter table app_user drop constraint if exists app_user_has_identity`);
    this.addSql(
      `alter table app_user add constraint app_user_has_identity
         check (email is not null or telegram_id is not null or deleted_at is not null)`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `delete from app_user where deleted_at is not null and email is null and telegram_id is null`,
    );
    this.addSql(`alter table app_user drop constraint if exists app_user_has_identity`);
    this.addSql(
      `alter table app_user add constraint app_user_has_identity check (email is not null or telegram_id is not null)`,
    );
    this.addSql(`alter table app_user drop column if exists deleted_at`);
  }
}
