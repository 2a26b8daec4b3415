import { badInput } from '../../shared/errors.js';

const EMAIL_MAX_LENGTH = 254;
const NAME_MAX_LENGTH = 100;
// Deliberately loose: one @, no spaces, a dot in the domain. Deliverability is proven by verification.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Trims and lower-cases an email, or throws BAD_USER_INPUT naming `field`. */
export function normalizeEmail(value: string, field: string): string {
  const email = value.trim().toLowerCase();
  if (email.length > EMAIL_MAX_LENGTH) {
    throw badInput(field, `Email must be at most ${EMAIL_MAX_LENGTH} characters.`);
  }
  // Control characters (NUL above all: PostgreSQL text cannot hold it) would otherwise reach the database.
  // eslint-disable-next-line no-control-regex
  if (!EMAIL_SHAPE.test(email) || /[\u0000-\u001f\u007f]/.test(email)) {
    throw badInput(field, 'Email is not a valid address.');
  }
  return email;
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
