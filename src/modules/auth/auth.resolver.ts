import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { PublicAuthEndpoint, NotForAccessTokens } from '../../graphql/access.js';
import { AuthPayload, ChangePasswordInput, LoginInput, RegisterInput } from './auth.inputs.js';
import type { UserRow } from './user.read.js';
import { UserObject } from './user.types.js';

@Resolver()
export class AuthResolver {
  @Query(() => UserObject, { description: 'The signed-in user.' })
  async me(@Ctx() ctx: Context): Promise<UserRow> {
    return ctx.services.users.me(await ctx.principal());
  }

  @PublicAuthEndpoint()
  @Mutation(() => AuthPayload, {
    description: 'Creates an email + password account and signs it in. Limited to 30 per 5 minutes per IP.',
  })
  register(
    @Arg('input', () => RegisterInput, { description: 'The new account.' }) input: RegisterInput,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return ctx.services.auth.register(input, ctx.meta);
  }

  @PublicAuthEndpoint()
  @Mutation(() => AuthPayload, {
    description:
      'Signs in with email + password. Any failure answers INVALID_CREDENTIALS. Limited to 30 per minute per IP; ' +
      'a client that keeps failing on one account is paused there (TOO_MANY_REQUESTS with retryAfter).',
  })
  login(
    @Arg('input', () => LoginInput, { description: 'The credentials.' }) input: LoginInput,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return ctx.services.auth.login(input, ctx.meta);
  }

  @NotForAccessTokens()
  @PublicAuthEndpoint()
  @Mutation(() => AuthPayload, {
    description:
      'Trades a refresh token for a new access token and a new refresh token; the old one stops working. ' +
      'Replaying an old refresh token ends the session (REFRESH_TOKEN_REUSED).',
  })
  refreshToken(
    @Arg('refreshToken', () => String, { description: 'The refresh token from the last AuthPayload.' })
    refreshToken: string,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return ctx.services.auth.refresh(refreshToken, ctx.meta);
  }

  @NotForAccessTokens()
  @Mutation(() => Boolean, { description: 'Signs out this session, or every session of the user.' })
  async logout(
    @Arg('everywhere', () => Boolean, {
      defaultValue: false,
      description: 'Also sign out every other device and client of this user.',
    })
    everywhere: boolean,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
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
}
