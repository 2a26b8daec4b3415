import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomToken, sha256Hex } from '../../shared/crypto.js';

export type EmailTokenKind = 'password_reset' | 'email_verification';

/**
 * Issues a link token (E2): 32 random bytes, of which only the SHA-256 is stored. Earlier unused tokens
 * of the same kind stop working, so only the newest mail's link does.
 */
export async function issueEmailToken(
  em: EntityManager,
  user: { id: string; email: string },
  kind: EmailTokenKind,
  now: Date,
  ttlSeconds: number,
): Promise<string> {
  const raw = randomToken(32);
  await em.execute(
    `with superseded as (
       update email_token set used_at = ? where user_id = ? and kind = ? and used_at is null
     )
     insert into email_token (id, user_id, kind, email, token_hash, created_at, expires_at)
     values (?, ?, ?, ?, ?, ?, ?)`,
    [
      now,
      user.id,
      kind,
      randomUUID(),
      user.id,
      kind,
      user.email,
      sha256Hex(raw),
      now,
      new Date(now.getTime() + ttlSeconds * 1000),
    ],
  );
  return raw;
}

/**
 * Uses a token up: one conditional UPDATE, so of two concurrent uses exactly one succeeds. It works only
 * while unexpired and while the account still has the address it was sent to. Null for anything else,
 * without saying which: a wrong, used, expired or stale token are all just not valid.
 */
export async function consumeEmailToken(
  em: EntityManager,
  raw: string,
  kind: EmailTokenKind,
  now: Date,
): Promise<{ userId: string; email: string } | null> {
  if (raw.length > 512) return null;
  const rows = await em.execute<{ user_id: string; email: string }[]>(
    `update email_token t set used_at = ?
       from app_user u
      where t.token_hash = ? and t.kind = ? and t.used_at is null and t.expires_at > ?
        and u.id = t.user_id and u.email = t.email
      returning t.user_id, t.email`,
    [now, sha256Hex(raw), kind, now],
  );
  const row = rows[0];
  return row === undefined ? null : { userId: row.user_id, email: row.email };
}
