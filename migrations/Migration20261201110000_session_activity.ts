import { Migration } from '@mikro-orm/migrations';

export class Migration20261201110000_session_activity extends Migration {
  override async up(): Promise<void> {
    // What a user sees in their list of sessions: where a session was last used from and when.
    this.addSql(`alter table auth_session add column ip text null, add column last_used_at timestamptz null`);
    // Sessions from before: last used when their newest refresh token was issued. Their address is unknown.
    this.addSql(`
      update auth_session s
         set last_used_at = coalesce(
           (select max(t.created_at) from refresh_token t where t.session_id = s.id), s.created_at)`);
    this.addSql(`alter table auth_session alter column last_used_at set not null`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table auth_session drop column if exists last_used_at, drop column if exists ip`);
  }
}
