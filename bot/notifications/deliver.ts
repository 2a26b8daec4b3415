import type { Telegram } from 'telegraf';
import type { Logger } from 'pino';
import { ApiError, type ApiClient } from '../api/client.js';
import {
  AcknowledgeNotificationsDocument,
  PendingNotificationsDocument,
  TelegramLoginDocument,
  type PendingNotificationsQuery,
} from '../api/generated/graphql.js';
import { languageKey, languageOf, translator, type Translate } from '../i18n/index.js';
import type { BotMetrics } from '../metrics.js';
import type { ChatStore } from '../session/chat-store.js';
import { dueMessage, dueStoreEntry, type DueItem } from '../composers/schedule.composer.js';
import { formatMoney, type MoneyLike } from '../replies/format.js';
import type { UserSessions } from '../session/user-session.js';

type Pending = PendingNotificationsQuery['pendingNotifications'][number];

export interface NotificationDeliveryDeps {
  metrics: BotMetrics;
  api: ApiClient;
  sessions: UserSessions;
  store: ChatStore;
  telegram: Telegram;
  logger: Logger;
}

/**
 * Delivers the API's outbox to Telegram: fetch pending (leased to this replica), send each, and
 * acknowledge only what Telegram accepted, so nothing is lost across restarts and nothing is sent twice.
 */
export async function deliverPending(deps: NotificationDeliveryDeps): Promise<number> {
  const { pendingNotifications } = await deps.api.call(
    PendingNotificationsDocument,
    { limit: 50 },
    { asBot: true },
  );
  const delivered: string[] = [];
  for (const notification of pendingNotifications) {
    try {
      const chatId = Number(notification.payload.chatId ?? notification.telegramId);
      if (notification.kind === 'TELEGRAM_LINKED') {
        const { telegramLogin } = await deps.api.call(
          TelegramLoginDocument,
          { telegramId: notification.telegramId },
          { asBot: true },
        );
        await deps.sessions.save(chatId, telegramLogin);
      }
      const language = await deps.store.get(languageKey(notification.telegramId));
      const t = translator(languageOf(language));
      if (notification.kind === 'SCHEDULE_DUE') {
        const item = dueItemOf(notification);
        await deps.store.set(...dueStoreEntry(item));
        const { text, keyboard } = dueMessage(item, todayIn(notification.payload.timeZone), t);
        await deps.telegram.sendMessage(chatId, text, keyboard);
      } else {
        await deps.telegram.sendMessage(chatId, describe(notification, t));
      }
      delivered.push(notification.id);
      deps.metrics.notifications.inc({ kind: notification.kind });
    } catch (error) {
      if (isUndeliverable(error)) delivered.push(notification.id);
      deps.logger.warn({ err: error, notification: notification.id }, 'notification not delivered');
    }
  }
  if (delivered.length > 0) {
    await deps.api.call(AcknowledgeNotificationsDocument, { ids: delivered }, { asBot: true });
  }
  return delivered.length;
}

/** Polls the outbox every `intervalMs` until stopped; errors are logged, never thrown. */
export function startNotificationLoop(
  deps: NotificationDeliveryDeps,
  intervalMs: number,
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = deliverPending(deps)
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'notification round failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** The user blocked the bot or the chat is gone: retrying will not help. */
function isUndeliverable(error: unknown): boolean {
  const code = (error as { response?: { error_code?: number } }).response?.error_code;
  return !(error instanceof ApiError) && (code === 403 || code === 400);
}

function describe(notification: Pending, t: Translate): string {
  const p = notification.payload;
  if (notification.kind === 'TELEGRAM_LINKED') return t('notify.linked', { name: String(p.firstName ?? '') });
  if (notification.kind === 'BUDGET_ALERT') {
    const name = typeof p.category === 'string' ? p.category : t('reports.allSpending');
    const head =
      Number(p.threshold) >= 100
        ? t('notify.exceeded', { name })
        : t('notify.used', { threshold: p.threshold, name });
    const detail = t('notify.budgetDetail', {
      spent: formatMoney(p.spent as MoneyLike),
      available: formatMoney(p.available as MoneyLike),
      percent: String(p.percentUsed),
      start: String(p.periodStart),
      end: String(p.periodEnd),
    });
    return `${head}\n${detail}`;
  }
  return t('notify.update', { kind: notification.kind });
}

/** An ask-first occurrence as the API's runner described it. */
function dueItemOf(notification: Pending): DueItem {
  const payload = notification.payload;
  return {
    scheduleId: String(payload.scheduleId),
    occursOn: String(payload.occursOn),
    kind: String(payload.kind).toUpperCase(),
    note: typeof payload.note === 'string' ? payload.note : null,
    amount: payload.amount as MoneyLike,
    amountMax: (payload.amountMax ?? null) as MoneyLike | null,
  };
}

/** Today in the family's time zone (YYYY-MM-DD); UTC when the payload names none. */
function todayIn(timeZone: unknown): string {
  const zone = typeof timeZone === 'string' ? timeZone : 'UTC';
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}
