import { parseLocalDate } from '../../shared/dates.js';
import { badInput } from '../../shared/errors.js';

/** Where a transaction stands in the newest-first order: its day, then its insertion order. */
export interface Position {
  occurredOn: string;
  seq: string;
}

const CURSOR = /^(\d{4}-\d{2}-\d{2})~(\d{1,19})$/;
const MAX_SEQ = 9_223_372_036_854_775_807n;

/** The opaque cursor of a position (base64url of `day~seq`). */
export function encodeCursor(position: Position): string {
  return Buffer.from(`${position.occurredOn}~${position.seq}`).toString('base64url');
}

/** A cursor's position; BAD_USER_INPUT naming `field` for anything this API did not hand out. */
export function decodeCursor(cursor: string, field: 'after' | 'before' = 'after'): Position {
  const match = cursor.length <= 64 ? CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  // Shaped right is not enough: an impossible date or a seq beyond bigint must not reach PostgreSQL.
  if (match === null || !isDate(match[1]!) || BigInt(match[2]!) > MAX_SEQ) {
    throw badInput(field, 'This cursor is not valid.');
  }
  return { occurredOn: match[1]!, seq: match[2]! };
}

function isDate(value: string): boolean {
  try {
    parseLocalDate(value, 'after');
    return true;
  } catch {
    return false;
  }
}
