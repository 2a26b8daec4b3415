/** Small text helpers for replies. Telegram messages are sent as plain text (no parse mode). */

export interface MoneyLike {
  amount: string;
  currency: string;
}

export const formatMoney = (m: MoneyLike): string => `${m.amount} ${m.currency}`;

/** A 10-cell bar for a percentage string like "87.5" (capped at full). */
export function progressBar(percent: string | null | undefined, cells = 10): string {
  const value = percent == null ? 0 : Number(percent);
  const filled = Math.max(0, Math.min(cells, Math.round((value / 100) * cells)));
  return '▓'.repeat(filled) + '░'.repeat(cells - filled);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A day inside the budget month the user means by "2025-03", "march", "mar" (this year, or last year if
 * that month has not come yet), or nothing (the current month). The 28th is inside the period that
 * starts in that month for every month start day (1..28).
 */
export function monthArgument(arg: string | undefined, today: Date = new Date()): string | null | undefined {
  if (arg === undefined || arg.trim() === '') return undefined;
  const text = arg.trim().toLowerCase();
  const iso = /^(\d{4})-(\d{2})$/.exec(text);
  if (iso !== null && Number(iso[2]) >= 1 && Number(iso[2]) <= 12) return `${iso[1]}-${iso[2]}-28`;
  const index = MONTHS.findIndex((m) => text.startsWith(m));
  if (index === -1) return null;
  const year = index > today.getUTCMonth() ? today.getUTCFullYear() - 1 : today.getUTCFullYear();
  return `${year}-${String(index + 1).padStart(2, '0')}-28`;
}
