import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { User } from '../auth/user.entity.js';
import { Family, Invite, Membership, Role } from './family.entity.js';
import { CreateFamilyInput, CreateInviteInput, CreatedInvite, UpdateFamilyInput } from './family.inputs.js';

@Resolver(() => Family)
export class FamilyResolver {
  @Query(() => [Family], { description: 'Every family the caller belongs to.' })
  async families(@Ctx() ctx: Context): Promise<Family[]> {
    return (await ctx.finance()).families.families();
  }

  @Query(() => Family, { description: "One of the caller's families; NOT_FOUND for any other." })
  async family(
    @Arg('id', () => ID, { description: 'The family.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Family> {
    return (await ctx.finance()).families.family(id);
  }

  @FieldResolver(() => [Membership], { description: 'The members and their roles.' })
  async members(@Root() family: Family, @Ctx() ctx: Context): Promise<Membership[]> {
    return (await ctx.finance()).families.members(family.id);
  }

  @FieldResolver(() => Role, { description: "The caller's role in this family." })
  async myRole(@Root() family: Family, @Ctx() ctx: Context): Promise<Role> {
    return (await (await ctx.finance()).access.roleIn(family.id))!;
  }

  @FieldResolver(() => [Invite], { description: 'Invites of this family (owners and admins only).' })
  async invites(@Root() family: Family, @Ctx() ctx: Context): Promise<Invite[]> {
    return (await ctx.finance()).families.invites(family.id);
  }

  @Mutation(() => Family, { description: 'Creates a family with the caller as its owner.' })
  async createFamily(
    @Arg('input', () => CreateFamilyInput, { description: 'The new family.' }) input: CreateFamilyInput,
    @Ctx() ctx: Context,
  ): Promise<Family> {
    return (await ctx.finance()).families.create(await ctx.principal(), input);
  }

  @Mutation(() => Family, { description: 'Renames a family or changes its settings (owners and admins).' })
  async updateFamily(
    @Arg('id', () => ID, { description: 'The family.' }) id: string,
    @Arg('input', () => UpdateFamilyInput, { description: 'The changes.' }) input: UpdateFamilyInput,
    @Ctx() ctx: Context,
  ): Promise<Family> {
    return (await ctx.finance()).families.update(id, input);
  }

  @Mutation(() => Family, {
    description: 'Makes a family the one finance operations use when none is named.',
  })
  async setDefaultFamily(
    @Arg('id', () => ID, { description: 'The family.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Family> {
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

  @Mutation(() => Invite, { description: 'Revokes an invite so nobody else can join with it.' })
  async revokeInvite(
    @Arg('id', () => ID, { description: 'The invite.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Invite> {
    return (await ctx.finance()).families.revokeInvite(id);
  }

  @Mutation(() => Family, {
    description: 'Joins a family with an invite code and makes it the default family.',
  })
  async joinFamily(
    @Arg('code', () => String, { description: 'The invite code.' }) code: string,
    @Ctx() ctx: Context,
  ): Promise<Family> {
    return (await ctx.finance()).families.join(await ctx.principal(), code);
  }

  @Mutation(() => Membership, {
    description: "Changes a member's role (owners and admins; owners only for owners).",
  })
  async changeMemberRole(
    @Arg('familyId', () => ID, { description: 'The family.' }) familyId: string,
    @Arg('userId', () => ID, { description: 'The member.' }) userId: string,
    @Arg('role', () => Role, { description: 'The new role.' }) role: Role,
    @Ctx() ctx: Context,
  ): Promise<Membership> {
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

  @Mutation(() => Boolean, { description: 'Leaves a family. The last owner cannot leave.' })
  async leaveFamily(
    @Arg('familyId', () => ID, { description: 'The family.' }) familyId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await ctx.finance()).families.leave(await ctx.principal(), familyId);
  }
}

@Resolver(() => Membership)
export class MemberResolver {
  @FieldResolver(() => User, { description: 'The member.' })
  async user(@Root() member: Membership, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.user.load(member.user.id))!;
  }
}

@Resolver(() => User)
export class UserFamilyResolver {
  @FieldResolver(() => Family, {
    nullable: true,
    description: 'The family finance operations use when none is named (only on your own user).',
  })
  async defaultFamily(@Root() user: User, @Ctx() ctx: Context): Promise<Family | null> {
    // The bot may select it under telegramRegister without a user token of its own: no caller, no family.
    const caller = await ctx.principal().catch(() => null);
    if (caller === null || user.id !== caller.userId || user.defaultFamily === null) return null;
    const { families } = await ctx.finance();
    return families.family(user.defaultFamily.id).catch(() => null);
  }
}
