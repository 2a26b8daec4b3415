import { createHash } from 'node:crypto';
import { badInput, conflict } from '../../shared/errors.js';
import type { Draft, Resolved } from './transaction.validation.js';

const KEY_MAX = 200;

/** The idempotency key of a create, trimmed; null when none was given. */
export function idempotencyKey(value: string | null | undefined): string | null {
  const key = value?.trim() || null;
  if (key !== null && key.length > KEY_MAX) {
    throw badInput('input.idempotencyKey', `At most ${KEY_MAX} characters.`);
  }
  return key;
}

/**
 * A digest of the request as validated: amounts in minor units, the note trimmed, tags normalised, the
 * payer filled in. The day counts as given (omitted stays omitted), so a retry on the next day with the
 * same payload is still the same request.
 */
export function fingerprint(draft: Pick<Draft, 'occurredOn'>, tx: Resolved): string {
  const request = [
    tx.kind,
    tx.amount.toString(),
    tx.account,
    tx.toAccount,
    tx.toAmount?.toString() ?? null,
    tx.category,
    draft.occurredOn === null ? null : tx.occurredOn,
    tx.note,
    tx.tags,
    tx.paidBy,
  ];
  return createHash('sha256').update(JSON.stringify(request)).digest('base64url');
}

/**
 * A retry answers the first transaction only if it asks for the same thing (as Stripe does); a row
 * recorded before fingerprints were stored (null) cannot be compared and is taken as the same.
 */
export function assertSameRequest(stored: string | null, requested: string): void {
  if (stored !== null && stored !== requested) {
    throw conflict(
      'This idempotency key was already used for a different transaction.',
      'input.idempotencyKey',
    );
  }
}
