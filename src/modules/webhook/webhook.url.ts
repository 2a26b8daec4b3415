import { isIP } from 'node:net';
import { badInput } from '../../shared/errors.js';
import { guardedLookup, refusedAddress, resolveAllowed } from './webhook.address.js';

export const MAX_URL_LENGTH = 2048;

/**
 * The check at creation (and on every URL change): an absolute http(s) URL without credentials, whose host
 * is a public address or a name that resolves only to public addresses (loopback too where config allows
 * it). Deliveries check again, on the address they connect to. Answers the normalised URL.
 */
export async function checkWebhookUrl(raw: string, allowLoopback: boolean, field: string): Promise<string> {
  const text = raw.trim();
  if (text.length === 0 || text.length > MAX_URL_LENGTH) {
    throw badInput(field, `The URL must be 1 to ${MAX_URL_LENGTH} characters.`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput(field, 'This is not an absolute URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badInput(field, 'Only http and https URLs can receive webhooks.');
  }
  if (url.username !== '' || url.password !== '') {
    throw badInput(field, 'The URL may not carry a user name or password; put a token in its path or query.');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    const why = refusedAddress(host, allowLoopback);
    if (why !== null) throw badInput(field, `This address cannot receive webhooks: ${why}.`);
    return url.toString();
  }
  try {
    await resolveAllowed(guardedLookup(allowLoopback), host);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw badInput(field, `This host cannot receive webhooks: ${message}.`);
  }
  return url.toString();
}
