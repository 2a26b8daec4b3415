import { registerEnumType } from 'type-graphql';

/** What a notification is about; the value is what the `notification.kind` column holds. */
export enum NotificationKind {
  BUDGET_ALERT = 'budget_alert',
  TELEGRAM_LINKED = 'telegram_linked',
  SCHEDULE_DUE = 'schedule_due',
  WEBHOOK_DISABLED = 'webhook_disabled',
}

registerEnumType(NotificationKind, {
  name: 'NotificationKind',
  description: 'What a notification is about; its payload depends on it.',
  valuesConfig: {
    BUDGET_ALERT: {
      description:
        "A budget's spending reached 80 % or 100 % of its limit this period (payload: budgetId, " +
        'category, threshold, periodStart, periodEnd, spent, available, percentUsed).',
    },
    TELEGRAM_LINKED: {
      description: 'A Telegram account was linked to this user (payload: chatId, telegramId, firstName).',
    },
    SCHEDULE_DUE: {
      description:
        'An ask-first occurrence of a schedule is due and waits for an answer (payload: scheduleId, ' +
        "occurrenceId, occursOn, kind, amount, amountMax, note, timeZone: the family's).",
    },
    WEBHOOK_DISABLED: {
      description:
        'A webhook endpoint this user created was disabled because its deliveries kept failing (payload: ' +
        'webhookId, url, reason).',
    },
  },
});
