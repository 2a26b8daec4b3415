import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261130000000_accounts_and_sessions } from './Migration20261130000000_accounts_and_sessions.js';
import { Migration20261130010000_families_and_ledger } from './Migration20261130010000_families_and_ledger.js';
import { Migration20261130020000_budgets_goals_rates_outbox } from './Migration20261130020000_budgets_goals_rates_outbox.js';
import { Migration20261130030000_telegram_identity } from './Migration20261130030000_telegram_identity.js';
import { Migration20261201020000_login_throttle_replaces_lockout } from './Migration20261201020000_login_throttle_replaces_lockout.js';
import { Migration20261201040000_idempotency_and_alert_outbox } from './Migration20261201040000_idempotency_and_alert_outbox.js';
import { Migration20261201100000_user_language } from './Migration20261201100000_user_language.js';
import { Migration20261201110000_session_activity } from './Migration20261201110000_session_activity.js';
import { Migration20261201110000_telegram_group } from './Migration20261201110000_telegram_group.js';
import { Migration20261201110100_email_tokens } from './Migration20261201110100_email_tokens.js';
import { Migration20261201120000_notification_read_state } from './Migration20261201120000_notification_read_state.js';
import { Migration20261201130000_schedules } from './Migration20261201130000_schedules.js';
import { Migration20261201140000_personal_access_tokens } from './Migration20261201140000_personal_access_tokens.js';
import { Migration20261201150000_webhooks } from './Migration20261201150000_webhooks.js';
import { Migration20261201160001_deleted_users } from './Migration20261201160001_deleted_users.js';

/**
 * Every migration, in order. Listed explicitly (not globbed) so they load the same way under tsx,
 * vitest and compiled JavaScript. Add new ones at the end.
 */
export const migrationsList: MigrationObject[] = [
  {
    name: 'Migration20261130000000_accounts_and_sessions',
    class: Migration20261130000000_accounts_and_sessions,
  },
  { name: 'Migration20261130010000_families_and_ledger', class: Migration20261130010000_families_and_ledger },
  {
    name: 'Migration20261130020000_budgets_goals_rates_outbox',
    class: Migration20261130020000_budgets_goals_rates_outbox,
  },
  { name: 'Migration20261130030000_telegram_identity', class: Migration20261130030000_telegram_identity },
  {
    name: 'Migration20261201020000_login_throttle_replaces_lockout',
    class: Migration20261201020000_login_throttle_replaces_lockout,
  },
  {
    name: 'Migration20261201040000_idempotency_and_alert_outbox',
    class: Migration20261201040000_idempotency_and_alert_outbox,
  },
  { name: 'Migration20261201100000_user_language', class: Migration20261201100000_user_language },
  { name: 'Migration20261201110000_session_activity', class: Migration20261201110000_session_activity },
  { name: 'Migration20261201110000_telegram_group', class: Migration20261201110000_telegram_group },
  { name: 'Migration20261201110100_email_tokens', class: Migration20261201110100_email_tokens },
  {
    name: 'Migration20261201120000_notification_read_state',
    class: Migration20261201120000_notification_read_state,
  },
  { name: 'Migration20261201130000_schedules', class: Migration20261201130000_schedules },
  {
    name: 'Migration20261201140000_personal_access_tokens',
    class: Migration20261201140000_personal_access_tokens,
  },
  { name: 'Migration20261201150000_webhooks', class: Migration20261201150000_webhooks },
  { name: 'Migration20261201160001_deleted_users', class: Migration20261201160001_deleted_users },
];
