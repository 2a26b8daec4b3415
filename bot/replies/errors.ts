import { ApiError } from '../api/client.js';
import { NotConnectedError, PrivateChatOnlyError } from '../session/user-session.js';

const SESSION_ENDED = 'Your session has ended. Send /start to connect again.';

/** One plain reply per API error code; anything unknown gets the "try again" reply. */
const REPLIES: Record<string, (error: ApiError) => string> = {
  BAD_USER_INPUT: (e) => `That doesn't look right: ${e.message}`,
  NOT_FOUND: (e) =>
    e.message.includes('invite') ? e.message : "I couldn't find that. It may have been deleted.",
  FORBIDDEN: () => "Your role in this family doesn't allow that. Ask an owner or admin.",
  CONFLICT: (e) => e.message,
  WEAK_PASSWORD: (e) => e.message,
  TOO_MANY_REQUESTS: () => 'That was a lot at once. Please wait a minute and try again.',
  UNAUTHENTICATED: () => SESSION_ENDED,
  REFRESH_TOKEN_REUSED: () => SESSION_ENDED,
};

const UNAVAILABLE = 'The finance service is not reachable right now. Please try again in a moment.';

export function friendlyError(error: unknown): string {
  if (error instanceof PrivateChatOnlyError) return error.message;
  if (error instanceof NotConnectedError) {
    if (error.reason === 'unreadable') return SESSION_ENDED;
    return error.reason === 'unlinked'
      ? 'Your Telegram account is no longer connected to Family Finance. Send /start to register or link it again.'
      : "You're not connected yet. Send /start to register in one tap or link an existing account.";
  }
  if (error instanceof ApiError) return (REPLIES[error.code] ?? (() => UNAVAILABLE))(error);
  return UNAVAILABLE;
}
