import validator from 'validator';
import { badInput } from '../../shared/errors.js';

const EMAIL_MAX_LENGTH = 254;
const NAME_MAX_LENGTH = 100;

/**
 * The HTML standard's rule for `input type=email`, as closely as validator's isEmail allows: an ASCII local
 * part of atext characters (no quoted strings, no UTF-8), an ASCII host name of letter-digit-hyphen labels
 * that neither start nor end with a hyphen (an IDN arrives in punycode, as browsers send it), no display
 * name, no IP literal. Stricter than HTML in three ways a deliverable address never needs: the domain must
 * have a dot and a non-numeric TLD, dots in the local part may not lead, trail or repeat, and the local
 * part is at most 64 bytes (RFC 5321).
 */
const EMAIL_RULE = {
  allow_display_name: false,
  allow_utf8_local_part: false,
  allow_ip_domain: false,
  require_tld: true,
  blacklisted_chars: '"',
} as const;

/**
 * The one check every email goes through (register, login, setEmailPassword): trimmed, validated, and
 * lower-cased as a whole (the local part too, so that case never makes two accounts); BAD_USER_INPUT
 * naming `field` otherwise.
 */
export function normalizeEmail(value: string, field: string): string {
  const email = value.trim();
  if (email.length > EMAIL_MAX_LENGTH) {
    throw badInput(field, `Email must be at most ${EMAIL_MAX_LENGTH} characters.`);
  }
  if (!validator.isAscii(email) || !validator.isEmail(email, EMAIL_RULE)) {
    throw badInput(field, 'Email is not a valid address.');
  }
  return email.toLowerCase();
}

/** Trims a person's name; `required` names may not be empty. */
export function normalizeName(
  value: string | null | undefined,
  field: string,
  required: boolean,
): string | null {
  const name = (value ?? '').trim();
  if (name === '') {
    if (required) throw badInput(field, 'This name is required.');
    return null;
  }
  if ([...name].length > NAME_MAX_LENGTH) {
    throw badInput(field, `Name must be at most ${NAME_MAX_LENGTH} characters.`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw badInput(field, 'Name contains control characters.');
  return name;
}
