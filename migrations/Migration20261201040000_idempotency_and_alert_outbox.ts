import { Migration } from '@mikro-orm/migrations';

export class Migration20261201040000_idempotency_and_alert_outbox extends Migration {
  override async up(): Promise<void> {
    // A digest of the request a create was recorded for: a retry with the same key but another payload
    // is a CONFLICT. Rows recorded before have none and are taken as the same request.
    this.addSql(`alter table ledger_transaction add column idempotency_fingerprint text null`);

    // Budget-alert checks owed after an expense, written in the expense's own database transaction and
    // worked off by the API processes (FOR UPDATE SKIP LOCKED), oldest first.
    this.addSql(`
      create table budget_alert_check (
        id bigint generated always as identity primary key,
        family_id uuid not null references family (id) on delete cascade,
        occurred_on date not null,
        category_id uuid null,
        created_at timestamptz not null
      )`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists budget_alert_check`);
    this.addSql(`alter table ledger_transaction drop column if exists idempotency_fingerprint`);
  }
}
