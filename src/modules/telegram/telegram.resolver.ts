import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { BotOnly, UserAuthEndpoint, NotForAccessTokens } from '../../graphql/access.js';
import { AuthPayload } from '../auth/auth.inputs.js';
import type { UserRow } from '../auth/user.read.js';
import { UserObject } from '../auth/user.types.js';
import type { TelegramGroupRow } from './telegram-group.read.js';
import { ConnectTelegramGroupInput, TelegramGroupObject } from './telegram-group.types.js';
import {
  BindingInfo,
  BindingStart,
  BindingStartInput,
  BotNotification,
  SetEmailPasswordInput,
  TelegramRegisterInput,
} from './telegram.inputs.js';

@Resolver()
export class TelegramResolver {
  @BotOnly()
  @Query(() => TelegramGroupObject, {
    nullable: true,
    description: 'Bot only: the family a Telegram group chat is connected to; null when it is not connected.',
  })
  telegramGroup(
    @Arg('chatId', () => ID, { description: 'The Telegram group chat id.' }) chatId: string,
    @Ctx() ctx: Context,
  ): Promise<TelegramGroupRow | null> {
    return ctx.services.telegram.group(chatId);
  }

  @Mutation(() => TelegramGroupObject, {
    description:
      "Connects a Telegram group to a family (owner or admin). Sent by the bot with the user's token and its " +
      'own credential after the user confirmed in a private chat; FORBIDDEN without the bot credential.',
  })
  async connectTelegramGroup(
    @Arg('input', () => ConnectTelegramGroupInput, { description: 'The group and the family.' })
    input: ConnectTelegramGroupInput,
    @Ctx() ctx: Context,
  ): Promise<TelegramGroupRow> {
    return (await ctx.finance()).telegramGroups.connect(input, ctx.isBot);
  }

  @Mutation(() => Boolean, {
    description: 'Disconnects a Telegram group from its family (owner or admin), through the bot.',
  })
  async disconnectTelegramGroup(
    @Arg('chatId', () => ID, { description: 'The Telegram group chat id.' }) chatId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await ctx.finance()).telegramGroups.disconnect(chatId, ctx.isBot);
  }

  @BotOnly({ authSensitive: true })
  @Mutation(() => AuthPayload, {
    description: 'Bot only: one-tap registration of a Telegram user (idempotent: a known user is signed in).',
  })
  telegramRegister(
    @Arg('input', () => TelegramRegisterInput, { description: 'The Telegram user.' })
    input: TelegramRegisterInput,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return ctx.services.telegram.register(input, ctx.meta);
  }

  @BotOnly({ authSensitive: true })
  @Mutation(() => AuthPayload, {
    description:
      'Bot only: fresh tokens for a registered or linked Telegram user; NOT_FOUND for an unknown one.',
  })
  telegramLogin(
    @Arg('telegramId', () => ID, { description: 'Telegram user id.' }) telegramId: string,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return ctx.services.telegram.login(telegramId, ctx.meta);
  }

  @BotOnly({ authSensitive: true })
  @Mutation(() => BindingStart, {
    description: 'Bot only: a link code and page for connecting a Telegram account to an email account.',
  })
  bindingStart(
    @Arg('input', () => BindingStartInput, { description: 'The Telegram account.' }) input: BindingStartInput,
    @Ctx() ctx: Context,
  ): Promise<BindingStart> {
    return ctx.services.telegram.bindingStart(input);
  }

  @NotForAccessTokens()
  @Query(() => BindingInfo, {
    description: 'The Telegram account a link code would connect (does not use the code).',
  })
  bindingInfo(
    @Arg('code', () => String, { description: 'The link code.' }) code: string,
    @Ctx() ctx: Context,
  ): Promise<BindingInfo> {
    return ctx.services.telegram.bindingInfo(code);
  }

  @NotForAccessTokens()
  @UserAuthEndpoint()
  @Mutation(() => UserObject, {
    description:
      "Links the code's Telegram account to the signed-in user. Single use; CONFLICT if already linked.",
  })
  async bindingConfirm(
    @Arg('code', () => String, { description: 'The link code.' }) code: string,
    @Ctx() ctx: Context,
  ): Promise<UserRow> {
    const principal = await ctx.principal();
    await ctx.services.telegram.bindingConfirm(principal, code);
    return ctx.services.users.get(principal.userId);
  }

  @NotForAccessTokens()
  @Mutation(() => Boolean, { description: 'Throws a link code away without linking anything.' })
  bindingCancel(
    @Arg('code', () => String, { description: 'The link code.' }) code: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.telegram.bindingCancel(code);
  }

  @NotForAccessTokens()
  @Mutation(() => UserObject, {
    description:
      'Adds email + password to a user who so far signs in only through Telegram. A confirmation link is ' +
      'mailed to the address; email sign-in works once it is confirmed (verifyEmail).',
  })
  async setEmailPassword(
    @Arg('input', () => SetEmailPasswordInput, { description: 'Email and password.' })
    input: SetEmailPasswordInput,
    @Ctx() ctx: Context,
  ): Promise<UserRow> {
    const principal = await ctx.principal();
    await ctx.services.telegram.setEmailPassword(principal, input);
    return ctx.services.users.get(principal.userId);
  }

  @NotForAccessTokens()
  @Mutation(() => Boolean, {
    description: "Unlinks Telegram from the signed-in user and ends the bot's sessions for them.",
  })
  async unlinkTelegram(@Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.telegram.unlink(await ctx.principal());
  }

  @BotOnly()
  @Query(() => [BotNotification], {
    description: 'Bot only: undelivered messages for Telegram users, oldest first, leased for a minute.',
  })
  pendingNotifications(
    @Arg('limit', () => Int, { defaultValue: 50, description: 'At most this many, 1 to 100.' }) limit: number,
    @Ctx() ctx: Context,
  ): Promise<BotNotification[]> {
    return ctx.services.telegram.pendingNotifications(limit);
  }

  @BotOnly()
  @Mutation(() => Int, {
    description: 'Bot only: marks notifications delivered (after Telegram accepted them).',
  })
  acknowledgeNotifications(
    @Arg('ids', () => [ID], { description: 'The delivered notifications.' }) ids: string[],
    @Ctx() ctx: Context,
  ): Promise<number> {
    return ctx.services.telegram.acknowledge(ids);
  }
}
