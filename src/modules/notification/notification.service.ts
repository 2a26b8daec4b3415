import type { EntityManager } from '@mikro-orm/postgresql';
import type { Row } from '../../db/rows.js';
import { uuidArray } from '../../db/sql.js';
import type { Clock } from '../../shared/clock.js';
import { badInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../family/family-access.js';
import { NOTIFICATION, type NotificationRow } from './notification.read.js';

export const NOTIFICATIONS_MAX = 100;

/** The signed-in user's own notifications and their read state (web clients; the bot has its outbox). */
export class NotificationService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly userId: string,
  ) {}

  /** Newest first, at most `first` (1..100), optionally only unread ones; with the unread count. */
  async list(unreadOnly: boolean, first: number): Promise<{ items: NotificationRow[]; unreadCount: number }> {
    if (!Number.isInteger(first) || first < 1 || first > NOTIFICATIONS_MAX) {
      throw badInput('first', `Between 1 and ${NOTIFICATIONS_MAX}.`);
    }
    const rows = await this.em.execute<Row[]>(
      `select ${NOTIFICATION.select('n')},
              (select count(*) from notification u where u.user_id = ? and u.read_at is null)::int as unread
         from notification n
        where n.user_id = ? ${unreadOnly ? 'and n.read_at is null' : ''}
        order by n.seq desc limit ?`,
      [this.userId, this.userId, first],
    );
    const unreadCount =
      rows.length > 0
        ? (rows[0]!.unread as number)
        : Number(
            (
              await this.em.execute<{ n: string }[]>(
                `select count(*)::text as n from notification where user_id = ? and read_at is null`,
                [this.userId],
              )
            )[0]!.n,
          );
    return { items: rows.map((row) => NOTIFICATION.read(row)), unreadCount };
  }

  /**
   * Marks the user's notifications read: these ids, or every unread one when `ids` is omitted. An id
   * that is not one of the user's is NOT_FOUND (A2), and then nothing is marked. Answers the notifications
   * named (or marked), with their readAt.
   */
  async markRead(ids: readonly string[] | null | undefined): Promise<NotificationRow[]> {
    const now = this.clock.now();
    if (ids == null) {
      const rows = await this.em.execute<Row[]>(
        `update notification n set read_at = ? where n.user_id = ? and n.read_at is null
         returning ${NOTIFICATION.select('n')}`,
        [now, this.userId],
      );
      return rows.map((row) => NOTIFICATION.read(row));
    }
    if (ids.length > NOTIFICATIONS_MAX) throw badInput('ids', `At most ${NOTIFICATIONS_MAX} ids.`);
    const wanted = [...new Set(ids)];
    if (!wanted.every(isUuid)) throw notFound('Notification', 'ids');
    // One statement: the update happens only if every id is the caller's, so a refusal changes nothing.
    const rows = await this.em.execute<Row[]>(
      `with mine as (select id from notification where user_id = ? and id = any(?::uuid[]))
       update notification n set read_at = coalesce(n.read_at, ?)
        where n.id in (select id from mine) and (select count(*) from mine) = ?
        returning ${NOTIFICATION.select('n')}`,
      [this.userId, uuidArray(wanted), now, wanted.length],
    );
    if (rows.length !== wanted.length) throw notFound('Notification', 'ids');
    return rows.map((row) => NOTIFICATION.read(row));
  }
}
