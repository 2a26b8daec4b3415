import { parse } from 'cookie';
import type { Request, Response } from 'express';
import { registerEnumType } from 'type-graphql';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { AuthPayload } from './auth.inputs.js';

/** Where a sign-in hands over the refresh token (C2). */
export enum RefreshTokenDelivery {
  BODY = 'BODY',
  COOKIE = 'COOKIE',
}

registerEnumType(RefreshTokenDelivery, {
  name: 'RefreshTokenDelivery',
  description: 'Where the refresh token of an AuthPayload is handed over.',
  valuesConfig: {
    BODY: { description: 'In `AuthPayload.refreshToken` (apps, the bot, scripts).' },
    COOKIE: {
      description:
        'In an httpOnly cookie scoped to /graphql, out of reach of page scripts; ' +
        '`AuthPayload.refreshToken` is then null (browser apps).',
    },
  },
});

export const REFRESH_COOKIE_NAME = 'ff_refresh';
/** The only path that ever needs it: `refreshToken` and `logout` are GraphQL mutations. */
export const REFRESH_COOKIE_PATH = '/graphql';

/**
 * The refresh cookie of one request. HttpOnly keeps it from page scripts (an XSS cannot steal the
 * session); Secure always (browsers accept Secure cookies from http://localhost, so development needs no
 * exception); SameSite=Strict because only the SPA's own fetches need it, never a navigation arriving from
 * another site, and that refuses it to every cross-site request before Apollo's CSRF check even runs.
 * Strict needs the SPA and the API on one site (app.example.org and api.example.org are one site).
 */
export interface RefreshCookie {
  read(): string | undefined;
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

/** Where there is no HTTP answer to carry a cookie (a WebSocket runs subscriptions only): none is read. */
export const NO_REFRESH_COOKIE: RefreshCookie = {
  read: () => undefined,
  set() {},
  clear() {},
};

export function httpRefreshCookie(req: Request, res: Response): RefreshCookie {
  const options = {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: REFRESH_COOKIE_PATH,
  } as const;
  return {
    read() {
      const header = req.headers.cookie;
      if (header === undefined) return undefined;
      const value = parse(header)[REFRESH_COOKIE_NAME];
      return value === undefined || value === '' ? undefined : value;
    },
    set(token, expiresAt) {
      res.cookie(REFRESH_COOKIE_NAME, token, { ...options, expires: expiresAt });
    },
    clear() {
      res.clearCookie(REFRESH_COOKIE_NAME, options);
    },
  };
}

/** Hands a sign-in's refresh token over where the client asked for it. */
export function deliver(
  payload: AuthPayload,
  delivery: RefreshTokenDelivery,
  cookie: RefreshCookie,
): AuthPayload {
  if (delivery === RefreshTokenDelivery.BODY) return payload;
  cookie.set(payload.refreshToken!, payload.refreshTokenExpiresAt);
  return { ...payload, refreshToken: null };
}

/**
 * Runs a refresh with the token from the argument or, without one, from the cookie. A cookie whose
 * session has ended is cleared, so the browser stops sending a dead token.
 */
export async function refreshWith(
  argument: string | null | undefined,
  delivery: RefreshTokenDelivery | null | undefined,
  cookie: RefreshCookie,
  refresh: (token: string) => Promise<AuthPayload>,
): Promise<AuthPayload> {
  const fromCookie = argument === null || argument === undefined;
  const token = fromCookie ? cookie.read() : argument;
  if (token === undefined) {
    throw new AppError(
      ErrorCode.UNAUTHENTICATED,
      'No refresh token: pass refreshToken, or sign in with refreshTokenIn: COOKIE first.',
    );
  }
  let payload: AuthPayload;
  try {
    payload = await refresh(token);
  } catch (error) {
    const code = error instanceof AppError ? error.code : undefined;
    if (fromCookie && (code === ErrorCode.UNAUTHENTICATED || code === ErrorCode.REFRESH_TOKEN_REUSED))
      cookie.clear();
    throw error;
  }
  return deliver(
    payload,
    delivery ?? (fromCookie ? RefreshTokenDelivery.COOKIE : RefreshTokenDelivery.BODY),
    cookie,
  );
}
