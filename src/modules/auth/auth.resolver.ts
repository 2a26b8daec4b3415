import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { PublicAuthEndpoint, NotForAccessTokens } from '../../graphql/access.js';
import { AuthPayload, ChangePasswordInput, LoginInput, RegisterInput } from './auth.inputs.js';
import { RefreshTokenDelivery, deliver, refreshWith } from './refresh-cookie.js';
import type { SessionRow } from './session.read.js';
import { SessionObject } from './session.types.js';
import type { UserRow } from './user.read.js';
import { UserObject } from './user.types.js';

@Resolver()
export class AuthResolver {
  @Query(() => UserObject, { description: 'The signed-in user.' })
  async me(@Ctx() ctx: Context): Promise<UserRow> {
    return ctx.services.users.me(await ctx.principal());
  }

  @Mutation(() => UserObject, {
    description: 'Sets the language of replies for the signed-in user ("en" or "ru").',
  })
  async setLanguage(
    @Arg('language', () => String, { description: 'A supported language code: "en" or "ru".' })
    language: string,
    @Ctx() ctx: Context,
  ): Promise<UserRow> {
    return ctx.services.users.setLanguage(await ctx.principal(), language);
  }

  @PublicAuthEndpoint()
  @Mutation(() => AuthPayload, {
    description: 'Creates an email + password account and signs it in. Limited to 30 per 5 minutes per IP.',
  })
  async register(
    @Arg('input', () => RegisterInput, { description: 'The new account.' }) input: RegisterInput,
    @Arg('refreshTokenIn', () => RefreshTokenDelivery, {
      defaultValue: RefreshTokenDelivery.BODY,
      description: 'COOKIE for browser apps: the refresh token goes into an httpOnly cookie, not the body.',
    })
    refreshTokenIn: RefreshTokenDelivery,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return deliver(await ctx.services.auth.register(input, ctx.meta), refreshTokenIn, ctx.refreshCookie);
  }

  @PublicAuthEndpoint()
  @Mutation(() => AuthPayload, {
    description:
      'Signs in with email + password. Any failure answers INVALID_CREDENTIALS. Limited to 30 per minute per IP; ' +
      'a client that keeps failing on one account is paused there (TOO_MANY_REQUESTS with retryAfter).',
  })
  async login(
    @Arg('input', () => LoginInput, { description: 'The credentials.' }) input: LoginInput,
    @Arg('refreshTokenIn', () => RefreshTokenDelivery, {
      defaultValue: RefreshTokenDelivery.BODY,
      description: 'COOKIE for browser apps: the refresh token goes into an httpOnly cookie, not the body.',
    })
    refreshTokenIn: RefreshTokenDelivery,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return deliver(await ctx.services.auth.login(input, ctx.meta), refreshTokenIn, ctx.refreshCookie);
  }

  @NotForAccessTokens()
  @PublicAuthEndpoint()
  @Mutation(() => AuthPayload, {
    description:
      'Trades a refresh token for a new access token and a new refresh token; the old one stops working. ' +
      'Replaying an old refresh token ends the session (REFRESH_TOKEN_REUSED). Without an argument it ' +
      'uses the refresh cookie, and answers with a new cookie.',
  })
  refreshToken(
    @Arg('refreshToken', () => String, {
      nullable: true,
      description: 'The refresh token from the last AuthPayload; omit it to use the refresh cookie.',
    })
    refreshToken: string | null | undefined,
    @Arg('refreshTokenIn', () => RefreshTokenDelivery, {
      nullable: true,
      description: 'Where to hand the new refresh token over; by default where the old one came from.',
    })
    refreshTokenIn: RefreshTokenDelivery | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return refreshWith(refreshToken, refreshTokenIn, ctx.refreshCookie, (token) =>
      ctx.services.auth.refresh(token, ctx.meta),
    );
  }

  @NotForAccessTokens()
  @Mutation(() => Boolean, {
    description: 'Signs out this session, or every session of the user, and clears the refresh cookie.',
  })
  async logout(
    @Arg('everywhere', () => Boolean, {
      defaultValue: false,
      description: 'Also sign out every other device and client of this user.',
    })
    everywhere: boolean,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    // Cleared even when the access token is no good any more: a signed-out browser keeps nothing.
    ctx.refreshCookie.clear();
    return ctx.services.auth.logout(await ctx.principal(), everywhere);
  }

  @NotForAccessTokens()
  @Mutation(() => Boolean, {
    description: 'Changes the password of the signed-in user and signs out all their other sessions.',
  })
  async changePassword(
    @Arg('input', () => ChangePasswordInput, { description: 'Current and new password.' })
    input: ChangePasswordInput,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.auth.changePassword(await ctx.principal(), input);
  }

  @NotForAccessTokens()
  @Query(() => [SessionObject], {
    description:
      "The signed-in user's live sessions (devices, apps, the bot), most recently used first; at most 100.",
  })
  async sessions(@Ctx() ctx: Context): Promise<SessionRow[]> {
    return ctx.services.auth.sessions(await ctx.principal());
  }

  @NotForAccessTokens()
  @Mutation(() => Boolean, {
    description:
      'Signs out one of your sessions, e.g. a lost phone; its tokens stop working at once. ' +
      'An id that is not one of your live sessions is NOT_FOUND.',
  })
  async revokeSession(
    @Arg('id', () => ID, { description: 'The session, from `sessions`.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    const caller = await ctx.principal();
    const revoked = await ctx.services.auth.revokeSession(caller, id);
    if (id === caller.sessionId) ctx.refreshCookie.clear();
    return revoked;
  }

  @PublicAuthEndpoint()
  @Mutation(() => Boolean, {
    description:
      'Mails a link to choose a new password (valid 30 minutes, single use) if the address belongs to an ' +
      'account and is confirmed. Always answers true, in the same time, whatever the address. Limited ' +
      'per client (10 per 15 minutes) and per address (3 per hour).',
  })
  requestPasswordReset(
    @Arg('email', () => String, { description: 'The email address of the account.' }) email: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.auth.requestPasswordReset(email, ctx.meta);
  }

  @PublicAuthEndpoint()
  @Mutation(() => Boolean, {
    description:
      'Sets a new password with the token from a reset link, and signs the user out everywhere. A used, ' +
      'expired or unknown token is BAD_USER_INPUT (field token).',
  })
  resetPassword(
    @Arg('token', () => String, { description: 'The token from the link (after #token=).' }) token: string,
    @Arg('newPassword', () => String, { description: '8 to 128 characters; common passwords are refused.' })
    newPassword: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.auth.resetPassword(token, newPassword, ctx.meta);
  }

  @PublicAuthEndpoint()
  @Mutation(() => Boolean, {
    description:
      'Confirms an email address with the token from the link mailed at sign-up; from then on it can sign ' +
      'in and receive reset links. A used, expired or unknown token is BAD_USER_INPUT (field token).',
  })
  verifyEmail(
    @Arg('token', () => String, { description: 'The token from the link (after #token=).' }) token: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.auth.verifyEmail(token, ctx.meta);
  }

  @PublicAuthEndpoint()
  @Mutation(() => Boolean, {
    description:
      'Mails a new confirmation link if the address belongs to an account and is not confirmed yet. ' +
      'Always answers true, whatever the address; limited like requestPasswordReset.',
  })
  requestEmailVerification(
    @Arg('email', () => String, { description: 'The email address to confirm.' }) email: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.auth.requestEmailVerification(email, ctx.meta);
  }
}
