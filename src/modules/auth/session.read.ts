import type { EntityManager } from '@mikro-orm/postgresql';
import { col, shape, type RowOf } from '../../db/rows.js';
import type { SessionClient } from './session.entity.js';

/** The GraphQL `Session` as the read layer hands it over. */
export const SESSION = shape({
  id: col.text('id'),
  client: col.enum<SessionClient>()('via'),
  userAgent: col.textOrNull('user_agent'),
  ip: col.textOrNull('ip'),
  createdAt: col.timestamp('created_at'),
  lastUsedAt: col.timestamp('last_used_at'),
  expiresAt: col.timestamp('expires_at'),
});

export type SessionRow = RowOf<typeof SESSION> & { current: boolean };

/** More live sessions than anyone has devices: past this, the least recently used are left out. */
export const SESSIONS_LISTED = 100;

/**
 * A user's live sessions, most recently used first: not ended, not past their absolute end, and used
 * within the idle timeout (after it their refresh token is dead, so the session is too).
 */
export async function readLiveSessions(
  em: EntityManager,
  userId: string,
  currentSessionId: string,
  now: Date,
  idleSeconds: number,
): Promise<SessionRow[]> {
  const rows = await em.execute<Record<string, unknown>[]>(
    `select ${SESSION.select('s')} from auth_session s
      where s.user_id = ? and s.revoked_at is null and s.expires_at > ?
        and s.last_used_at > ?::timestamptz - make_interval(secs => ?)
      order by s.last_used_at desc, s.id
      limit ${SESSIONS_LISTED}`,
    [userId, now, now.toISOString(), idleSeconds],
  );
  return rows.map((row) => {
    const session = SESSION.read(row);
    return Object.assign(session, { current: session.id === currentSessionId });
  });
}
