import { TelegramError, type Telegram } from 'telegraf';

const MAX_ATTEMPTS = 4;
const MAX_WAIT_SECONDS = 60;

/**
 * Honours Telegram's flood control: a 429 answer is retried after its `retry_after` (capped), for
 * every call the bot makes, replies and notifications alike.
 */
export function retryOnFloodControl(
  telegram: Telegram,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): void {
  const callApi = telegram.callApi.bind(telegram);
  telegram.callApi = (async (method: string, payload: unknown, options?: unknown) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await (callApi as (m: string, p: unknown, o?: unknown) => Promise<unknown>)(
          method,
          payload,
          options,
        );
      } catch (error) {
        const retryAfter = error instanceof TelegramError ? error.parameters?.retry_after : undefined;
        if (
          error instanceof TelegramError &&
          error.code === 429 &&
          retryAfter !== undefined &&
          attempt < MAX_ATTEMPTS
        ) {
          await sleep(Math.min(retryAfter, MAX_WAIT_SECONDS) * 1000);
          continue;
        }
        throw error;
      }
    }
  }) as Telegram['callApi'];
}
