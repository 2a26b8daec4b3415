import { Migration } from '@mikro-orm/migrations';

export class Migration20261201130000_schedules extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table schedule (
        id uuid primary key,
        family_id uuid not null references family (id) on delete cascade,
        account_id uuid not null references account (id) on delete cascade,
        category_id uuid null references category (id) on delete set null,
        kind text not null check (kind in ('expense', 'income')),
        amount bigint not null check (amount > 0),
        amount_max bigint null check (amount_max > amount),
        currency char(3) not null,
        note text null,
        mode text not null check (mode in ('auto_post', 'ask_first')),
        paused boolean not null default false,
        rrule text not null,
        starts_on date not null,
        next_on date null,
        created_by_id uuid not null references app_user (id),
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`create index schedule_family_idx on schedule (family_id)`);
    // The runner's scan: schedules with an occurrence due, oldest first. Paused and ended ones are not in it.
    this.addSql(
      `create index schedule_due_idx on schedule (next_on) where not paused and next_on is not null`,
    );

    // One row per handled occurrence: the unique pair makes "once" a constraint, whoever runs it.
    this.addSql(`
      create table schedule_occurrence (
        id uuid primary key,
        schedule_id uuid not null references schedule (id) on delete cascade,
        family_id uuid not null references family (id) on delete cascade,
        occurs_on date not null,
        status text not null check (status in ('posted', 'pending', 'recorded', 'skipped')),
        transaction_id uuid null references ledger_transaction (id) on delete set null,
        created_at timestamptz not null,
        resolved_at timestamptz null,
        constraint schedule_occurrence_once unique (schedule_id, occurs_on)
      )`);
    this.addSql(
      `create index schedule_occurrence_pending_idx on schedule_occurrence (family_id, occurs_on) where status = 'pending'`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists schedule_occurrence`);
    this.addSql(`drop table if exists schedule`);
  }
}
