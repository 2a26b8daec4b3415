import { ApiError } from '../api/client.js';
import { translator, type Translate } from '../i18n/index.js';
import { NotConnectedError, PrivateChatOnlyError } from '../session/user-session.js';

/** One plain reply per API error code, in the user's language; anything unknown gets "try again". */
const REPLIES: Record<string, (error: ApiError, t: Translate) => string> = {
  BAD_USER_INPUT: (e, t) => t('errors.badInput', { message: e.message }),
  NOT_FOUND: (e, t) => (e.message.includes('invite') ? e.message : t('errors.notFound')),
  FORBIDDEN: (_, t) => t('errors.forbidden'),
  CONFLICT: (e) => e.message,
  WEAK_PASSWORD: (e) => e.message,
  TOO_MANY_REQUESTS: (_, t) => t('errors.tooMany'),
  UNAUTHENTICATED: (_, t) => t('errors.sessionEnded'),
  REFRESH_TOKEN_REUSED: (_, t) => t('errors.sessionEnded'),
};

export function friendlyError(error: unknown, t: Translate = translator('en')): string {
  if (error instanceof PrivateChatOnlyError) return t('errors.privateOnly');
  if (error instanceof NotConnectedError) {
    if (error.reason === 'unreadable') return t('errors.sessionEnded');
    return error.reason === 'unlinked' ? t('errors.unlinked') : t('errors.notConnected');
  }
  if (error instanceof ApiError)
    return (REPLIES[error.code] ?? ((_, tr) => tr('errors.unavailable')))(error, t);
  return t('errors.unavailable');
}
