import { Migration } from '@mikro-orm/migrations';

/**
 * The per-account lockout is gone: it let anyone who knew an email keep its owner out. Failed logins
 * are now counted per client and per account in the key-value store (LoginThrottle).
 */
export class Migration20261201020000_login_throttle_replaces_lockout extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table app_user drop column if exists failed_login_count`);
    this.addSql(`alter table app_user drop column if exists locked_until`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table app_user add column if not exists failed_login_count integer not null default 0`,
    );
    this.addSql(`alter table app_user add column if not exists locked_until timestamptz null`);
  }
}
