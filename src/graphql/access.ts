import { Extensions } from 'type-graphql';

/**
 * Who may call a root field. Root fields are deny-by-default (A1): without a decorator from this file
 * a field needs a valid user access token.
 */
export type Access = 'user' | 'public';

export interface AccessExtensions {
  access?: Access;
  /** Credential-guessing fields: at most one of them per operation (L5). */
  authSensitive?: boolean;
}

/** Callable without signing in (e.g. register, health). */
export const Public = () => Extensions({ access: 'public' } satisfies AccessExtensions);

/** Callable without signing in, and counted as a credential guess: one per operation. */
export const PublicAuthEndpoint = () =>
  Extensions({ access: 'public', authSensitive: true } satisfies AccessExtensions);
