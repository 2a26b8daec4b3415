import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { NotForAccessTokens } from '../../graphql/access.js';
import { DeletionConfirmationInput } from './leaving.inputs.js';

@Resolver()
export class LeavingResolver {
  @NotForAccessTokens()
  @Mutation(() => Boolean, {
    description:
      'Deletes the signed-in account: every session and access token ends, families where you are the only ' +
      "member are deleted. Records other members still see keep an anonymous 'Deleted user'. Refused " +
      '(CONFLICT) while you are the only owner of a family with other members.',
  })
  async deleteAccount(
    @Arg('input', () => DeletionConfirmationInput, { description: 'The confirmation.' })
    input: DeletionConfirmationInput,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await ctx.finance()).leaving.deleteAccount(await ctx.principal(), input);
  }

  @NotForAccessTokens()
  @Mutation(() => Boolean, {
    description:
      'Deletes a family and everything it owns (owners only). Its members stay, without it; their tokens ' +
      'for it end.',
  })
  async deleteFamily(
    @Arg('familyId', () => ID, { description: 'The family.' }) familyId: string,
    @Arg('confirmation', () => DeletionConfirmationInput, { description: 'The confirmation.' })
    confirmation: DeletionConfirmationInput,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await ctx.finance()).leaving.deleteFamily(await ctx.principal(), familyId, confirmation);
  }
}
