import type { EntityManager } from '@mikro-orm/postgresql';
import { col, shape, type RowOf } from '../../db/rows.js';
import type { Role } from '../family/family.entity.js';
import type { TokenScope } from './pat.entity.js';

/** The GraphQL `AccessToken` as the read layer hands it over. The hash never leaves the database. */
export const ACCESS_TOKEN = shape({
  id: col.text('id'),
  name: col.text('name'),
  scopes: col.enums<TokenScope>()('scopes'),
  familyId: col.text('family_id'),
  createdAt: col.timestamp('created_at'),
  expiresAt: col.timestamp('expires_at'),
  revokedAt: col.timestampOrNull('revoked_at'),
  lastUsedAt: col.timestampOrNull('last_used_at'),
  lastUsedIp: col.textOrNull('last_used_ip'),
});

export type AccessTokenRow = RowOf<typeof ACCESS_TOKEN>;

/** A user's tokens (or the one with `id`), newest first, revoked and expired ones included. */
export async function readAccessTokens(
  em: EntityManager,
  userId: string,
  id?: string,
): Promise<AccessTokenRow[]> {
  const rows = await em.execute<Record<string, unknown>[]>(
    `select ${ACCESS_TOKEN.select('t')} from personal_access_token t
      where t.user_id = ? ${id === undefined ? '' : 'and t.id = ?'}
      order by t.created_at desc, t.id`,
    id === undefined ? [userId] : [userId, id],
  );
  return rows.map((row) => ACCESS_TOKEN.read(row));
}

/** What a presented secret grants, read in one statement with its owner's membership of its family. */
export interface TokenGrantRow {
  id: string;
  userId: string;
  familyId: string;
  scopes: TokenScope[];
  expiresAt: Date;
  live: boolean;
  /** The owner's role in the token's family now; null once they left it. */
  role: Role | null;
  baseCurrency: string;
  monthStartDay: number;
  timeZone: string;
}

export async function readTokenGrant(em: EntityManager, tokenHash: string): Promise<TokenGrantRow | null> {
  const [row] = await em.execute<
    {
      id: string;
      user_id: string;
      family_id: string;
      scopes: TokenScope[];
      expires_at: Date;
      live: boolean;
      role: Role | null;
      base_currency: string;
      month_start_day: number;
      time_zone: string;
    }[]
  >(
    `select t.id, t.user_id, t.family_id, t.scopes, t.expires_at, t.revoked_at is null as live,
            m.role, f.base_currency, f.month_start_day, f.time_zone
       from personal_access_token t
       join family f on f.id = t.family_id
       left join membership m on m.family_id = t.family_id and m.user_id = t.user_id
      where t.token_hash = ?`,
    [tokenHash],
  );
  if (row === undefined) return null;
  return {
    id: row.id,
    userId: row.user_id,
    familyId: row.family_id,
    scopes: row.scopes,
    expiresAt: new Date(row.expires_at),
    live: row.live,
    role: row.role,
    baseCurrency: row.base_currency,
    monthStartDay: row.month_start_day,
    timeZone: row.time_zone,
  };
}
