import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { NotForAccessTokens } from '../../graphql/access.js';
import { CreateAccessTokenInput } from './pat.inputs.js';
import type { AccessTokenRow } from './pat.read.js';
import { AccessTokenObject, CreatedAccessToken } from './pat.types.js';

@Resolver()
export class PersonalTokenResolver {
  @NotForAccessTokens()
  @Query(() => [AccessTokenObject], {
    description: 'Your personal access tokens, newest first, revoked and expired ones included.',
  })
  async accessTokens(@Ctx() ctx: Context): Promise<AccessTokenRow[]> {
    return (await ctx.finance()).accessTokens.list(await ctx.principal());
  }

  @NotForAccessTokens()
  @Mutation(() => CreatedAccessToken, {
    description:
      'Creates a personal access token for one of your families. Its secret is in this answer and nowhere else, ever.',
  })
  async createAccessToken(
    @Arg('input', () => CreateAccessTokenInput, { description: 'The new token.' })
    input: CreateAccessTokenInput,
    @Ctx() ctx: Context,
  ): Promise<CreatedAccessToken> {
    return (await ctx.finance()).accessTokens.create(await ctx.principal(), input);
  }

  @NotForAccessTokens()
  @Mutation(() => ID, {
    description: 'Revokes one of your personal access tokens; it is refused from the next request on.',
  })
  async revokeAccessToken(
    @Arg('id', () => ID, { description: 'The token.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<string> {
    return (await ctx.finance()).accessTokens.revoke(await ctx.principal(), id);
  }
}
