import type { EntityManager } from '@mikro-orm/postgresql';
import { col, shape, type RowOf } from '../../db/rows.js';

/** The GraphQL `TelegramGroup` as the read layer hands it over. */
export const TELEGRAM_GROUP = shape({
  id: col.text('id'),
  chatId: col.int64('chat_id'),
  title: col.text('title'),
  familyId: col.text('family_id'),
  connectedAt: col.timestamp('connected_at'),
});

export type TelegramGroupRow = RowOf<typeof TELEGRAM_GROUP>;

/** The binding of a Telegram group chat, if it is connected to a family. */
export async function readTelegramGroup(em: EntityManager, chatId: string): Promise<TelegramGroupRow | null> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    `select ${TELEGRAM_GROUP.select('g')} from telegram_group g where g.chat_id = ?`,
    [chatId],
  );
  return row === undefined ? null : TELEGRAM_GROUP.read(row);
}
