import { Migration } from '@mikro-orm/migrations';

/**
 * Webhooks (K2). The outbox is `webhook_delivery` itself: triggers on the tables whose changes are events
 * write one row per subscribed endpoint in the same database transaction as the change, so a change that
 * commits always has its deliveries and one that rolls back has none, whichever code path made it. The
 * dispatcher (src/modules/webhook/webhook.jobs.ts) turns rows not yet queued into pg-boss jobs.
 */
export class Migration20261201150000_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table webhook_endpoint (
        id uuid primary key,
        family_id uuid not null references family (id) on delete cascade,
        created_by_id uuid null references app_user (id) on delete set null,
        url text not null,
        description text not null default '',
        events text[] not null,
        secret text not null,
        enabled boolean not null default true,
        disabled_reason text null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        last_success_at timestamptz null
      )`);
    this.addSql(`create index webhook_endpoint_family_idx on webhook_endpoint (family_id) where enabled`);
    this.addSql(`
      create table webhook_delivery (
        id uuid primary key,
        endpoint_id uuid not null references webhook_endpoint (id) on delete cascade,
        family_id uuid not null references family (id) on delete cascade,
        event_id text not null,
        event_type text not null,
        payload jsonb not null,
        dedupe_key text null,
        status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
        attempts int not null default 0,
        last_status_code int null,
        last_error text null,
        created_at timestamptz not null default now(),
        queued_at timestamptz null,
        last_attempt_at timestamptz null,
        delivered_at timestamptz null,
        constraint webhook_delivery_once unique (endpoint_id, dedupe_key)
      )`);
    this.addSql(
      `create index webhook_delivery_unqueued_idx on webhook_delivery (created_at) where queued_at is null`,
    );
    this.addSql(
      `create index webhook_delivery_endpoint_idx on webhook_delivery (endpoint_id, created_at desc)`,
    );

    // One event: a fresh id shared by every endpoint of the family subscribed to its type.
    this.addSql(`
      create function webhook_enqueue(p_family uuid, p_type text, p_data jsonb, p_dedupe text) returns void
      language plpgsql as $$
      declare
        v_event text := 'msg_' || replace(gen_random_uuid()::text, '-', '');
        v_now timestamptz := clock_timestamp();
      begin
        insert into webhook_delivery (id, endpoint_id, family_id, event_id, event_type, payload, dedupe_key, created_at)
        select gen_random_uuid(), e.id, e.family_id, v_event, p_type,
               jsonb_build_object('type', p_type, 'timestamp', to_char(v_now at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                  'data', p_data),
               p_dedupe, v_now
          from webhook_endpoint e
         where e.family_id = p_family and e.enabled and upper(replace(p_type, '.', '_')) = any (e.events)
        on conflict (endpoint_id, dedupe_key) do nothing;
      end $$`);
    this.addSql(`
      create function webhook_transaction_event() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          perform webhook_enqueue(old.family_id, 'transaction.deleted',
            jsonb_build_object('familyId', old.family_id, 'transactionId', old.id), null);
          return old;
        end if;
        perform webhook_enqueue(new.family_id,
          case tg_op when 'INSERT' then 'transaction.created' else 'transaction.updated' end,
          jsonb_build_object('familyId', new.family_id, 'transactionId', new.id), null);
        return new;
      end $$`);
    this.addSql(`
      create trigger webhook_transaction_insert_delete after insert or delete on ledger_transaction
        for each row execute function webhook_transaction_event()`);
    this.addSql(`
      create trigger webhook_transaction_update after update on ledger_transaction
        for each row when (old.* is distinct from new.*) execute function webhook_transaction_event()`);
    // A budget alert is recorded once per member (and group): the event is the alert, once per endpoint.
    this.addSql(`
      create function webhook_budget_alert_event() returns trigger language plpgsql as $$
      begin
        if new.kind = 'budget_alert' and new.family_id is not null and not (new.payload ? 'chatId') then
          perform webhook_enqueue(new.family_id, 'budget.alert',
            new.payload || jsonb_build_object('familyId', new.family_id),
            array_to_string((string_to_array(new.dedupe_key, ':'))[1:4], ':'));
        end if;
        return new;
      end $$`);
    this.addSql(`
      create trigger webhook_budget_alert after insert on notification
        for each row execute function webhook_budget_alert_event()`);
    this.addSql(`
      create function webhook_schedule_event() returns trigger language plpgsql as $$
      begin
        if new.status in ('posted', 'pending') then
          perform webhook_enqueue(new.family_id, 'schedule.due',
            jsonb_build_object('familyId', new.family_id, 'scheduleId', new.schedule_id,
                               'occurrenceId', new.id, 'occursOn', new.occurs_on, 'status', upper(new.status),
                               'transactionId', new.transaction_id), null);
        end if;
        return new;
      end $$`);
    this.addSql(`
      create trigger webhook_schedule_due after insert on schedule_occurrence
        for each row execute function webhook_schedule_event()`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists webhook_schedule_due on schedule_occurrence`);
    this.addSql(`drop trigger if exists webhook_budget_alert on notification`);
    this.addSql(`drop trigger if exists webhook_transaction_update on ledger_transaction`);
    this.addSql(`drop trigger if exists webhook_transaction_insert_delete on ledger_transaction`);
    this.addSql(`drop function if exists webhook_schedule_event()`);
    this.addSql(`drop function if exists webhook_budget_alert_event()`);
    this.addSql(`drop function if exists webhook_transaction_event()`);
    this.addSql(`drop function if exists webhook_enqueue(uuid, text, jsonb, text)`);
    this.addSql(`drop table if exists webhook_delivery`);
    this.addSql(`drop table if exists webhook_endpoint`);
  }
}
