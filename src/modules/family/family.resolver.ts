import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { NotForAccessTokens } from '../../graphql/access.js';
import type { UserRow } from '../auth/user.read.js';
import { UserObject } from '../auth/user.types.js';
import { Role } from './family.entity.js';
import { CreateFamilyInput, CreateInviteInput, UpdateFamilyInput } from './family.inputs.js';
import type { FamilyRow, InviteRow, MemberRow } from './family.read.js';
import { CreatedInvite, FamilyObject, InviteObject, MemberObject } from './family.types.js';

@Resolver(() => FamilyObject)
export class FamilyResolver {
  @Query(() => [FamilyObject], { description: 'Every family the caller belongs to.' })
  async families(@Ctx() ctx: Context): Promise<FamilyRow[]> {
    return (await ctx.finance()).families.families();
  }

  @Query(() => FamilyObject, {
    nullable: true,
    description:
      "One of the caller's families; null, with NOT_FOUND in `errors`, for any other (the rest of the response stays).",
  })
  async family(
    @Arg('id', () => ID, { description: 'The family.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<FamilyRow> {
    return (await ctx.finance()).families.family(id);
  }

  @FieldResolver(() => [MemberObject], { description: 'The members and their roles.' })
  members(@Root() family: FamilyRow, @Ctx() ctx: Context): Promise<MemberRow[]> {
    return ctx.services.families.members(family);
  }

  @FieldResolver(() => [InviteObject], { description: 'Invites of this family (owners and admins only).' })
  invites(@Root() family: FamilyRow, @Ctx() ctx: Context): Promise<InviteRow[]> {
    return ctx.services.families.invites(family);
  }

  @NotForAccessTokens()
  @Mutation(() => FamilyObject, { description: 'Creates a family with the caller as its owner.' })
  async createFamily(
    @Arg('input', () => CreateFamilyInput, { description: 'The new family.' }) input: CreateFamilyInput,
    @Ctx() ctx: Context,
  ): Promise<FamilyRow> {
    return (await ctx.finance()).families.create(await ctx.principal(), input);
  }

  @Mutation(() => FamilyObject, {
    description: 'Renames a family or changes its settings (owners and admins).',
  })
  async updateFamily(
    @Arg('id', () => ID, { description: 'The family.' }) id: string,
    @Arg('input', () => UpdateFamilyInput, { description: 'The changes.' }) input: UpdateFamilyInput,
    @Ctx() ctx: Context,
  ): Promise<FamilyRow> {
    return (await ctx.finance()).families.update(id, input);
  }

  @NotForAccessTokens()
  @Mutation(() => FamilyObject, {
    description: 'Makes a family the one finance operations use when none is named.',
  })
  async setDefaultFamily(
    @Arg('id', () => ID, { description: 'The family.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<FamilyRow> {
    return (await ctx.finance()).families.setDefault(await ctx.principal(), id);
  }

  @Mutation(() => CreatedInvite, { description: 'Creates an invite code (owners and admins).' })
  async createInvite(
    @Arg('input', () => CreateInviteInput, { description: 'Role, expiry and uses.' })
    input: CreateInviteInput,
    @Ctx() ctx: Context,
  ): Promise<CreatedInvite> {
    return (await ctx.finance()).families.createInvite(await ctx.principal(), input);
  }

  @Mutation(() => InviteObject, { description: 'Revokes an invite so nobody else can join with it.' })
  async revokeInvite(
    @Arg('id', () => ID, { description: 'The invite.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<InviteRow> {
    return (await ctx.finance()).families.revokeInvite(id);
  }

  @NotForAccessTokens()
  @Mutation(() => FamilyObject, {
    description: 'Joins a family with an invite code and makes it the default family.',
  })
  async joinFamily(
    @Arg('code', () => String, { description: 'The invite code.' }) code: string,
    @Ctx() ctx: Context,
  ): Promise<FamilyRow> {
    return (await ctx.finance()).families.join(await ctx.principal(), code);
  }

  @Mutation(() => MemberObject, {
    description: "Changes a member's role (owners and admins; owners only for owners).",
  })
  async changeMemberRole(
    @Arg('familyId', () => ID, { description: 'The family.' }) familyId: string,
    @Arg('userId', () => ID, { description: 'The member.' }) userId: string,
    @Arg('role', () => Role, { description: 'The new role.' }) role: Role,
    @Ctx() ctx: Context,
  ): Promise<MemberRow> {
    return (await ctx.finance()).families.changeRole(await ctx.principal(), familyId, userId, role);
  }

  @Mutation(() => Boolean, { description: 'Removes a member (owners and admins). The last owner cannot go.' })
  async removeMember(
    @Arg('familyId', () => ID, { description: 'The family.' }) familyId: string,
    @Arg('userId', () => ID, { description: 'The member to remove.' }) userId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await ctx.finance()).families.removeMember(await ctx.principal(), familyId, userId);
  }

  @NotForAccessTokens()
  @Mutation(() => Boolean, { description: 'Leaves a family. The last owner cannot leave.' })
  async leaveFamily(
    @Arg('familyId', () => ID, { description: 'The family.' }) familyId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await ctx.finance()).families.leave(await ctx.principal(), familyId);
  }
}

@Resolver(() => MemberObject)
export class MemberResolver {
  @FieldResolver(() => UserObject, { description: 'The member.' })
  user(@Root() member: MemberRow): UserRow {
    return member.user; // read with the membership
  }
}

@Resolver(() => UserObject)
export class UserFamilyResolver {
  @FieldResolver(() => FamilyObject, {
    nullable: true,
    description: 'The family finance operations use when none is named (only on your own user).',
  })
  async defaultFamily(@Root() user: UserRow, @Ctx() ctx: Context): Promise<FamilyRow | null> {
    if (user.defaultFamilyId === null) return null;
    // A sign-in answers with the caller's own user before any token exists (the bot may select it under
    // telegramRegister with no user token of its own); otherwise only the caller's own user shows it.
    if (user.own !== true) {
      const caller = await ctx.principal().catch(() => null);
      if (caller?.userId !== user.id) return null;
      // A personal access token reaches its own family only, whichever the user's default is.
      if (caller.token !== undefined) return (await ctx.finance()).families.family(caller.token.familyId);
    }
    return ctx.services.families.defaultFamily(user.id);
  }
}
