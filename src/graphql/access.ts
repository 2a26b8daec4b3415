import { Extensions } from 'type-graphql';

/**
 * Who may call a root field. Root fields are deny-by-default (A1): without a decorator from this file
 * a field needs a valid user access token. Bot-only fields need the bot credential (T1).
 */
export type Access = 'user' | 'public' | 'bot';

export interface AccessExtensions {
  access?: Access;
  /** Credential-guessing fields: at most one of them per operation (L5). */
  authSensitive?: boolean;
  /** Refused to personal access tokens whatever their scopes: passwords, sessions, tokens, the account (K1). */
  noAccessTokens?: boolean;
}

/** Callable without signing in (e.g. register, health). */
export const Public = () => Extensions({ access: 'public' } satisfies AccessExtensions);

/** Callable without signing in, and counted as a credential guess: one per operation. */
export const PublicAuthEndpoint = () =>
  Extensions({ access: 'public', authSensitive: true } satisfies AccessExtensions);

/** Callable only with the bot credential (X-Bot-Key); `authSensitive` fields also count as a credential guess. */
export const BotOnly = (options: { authSensitive?: boolean } = {}) =>
  Extensions({
    access: 'bot',
    ...(options.authSensitive === true && { authSensitive: true }),
  } satisfies AccessExtensions);

/** Needs a signed-in user (the default) and counts as a credential guess: one per operation (L5). */
export const UserAuthEndpoint = () => Extensions({ authSensitive: true } satisfies AccessExtensions);

/**
 * Never callable with a personal access token (K1): fields that manage the account, its credentials,
 * its sessions or its tokens, or reach beyond the token's one family. Combines with the decorators above.
 */
export const NotForAccessTokens = () => Extensions({ noAccessTokens: true } satisfies AccessExtensions);
