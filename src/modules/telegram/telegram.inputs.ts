import { DateTimeISOResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { NotificationKind } from '../notification/notification-kind.js';

@InputType({ description: "The Telegram user registering through the bot (from the update's `from`)." })
export class TelegramRegisterInput {
  @Field(() => ID, { description: 'Telegram user id (a 64-bit integer, as a string).' })
  telegramId!: string;

  @Field(() => ID, { description: 'The private chat id with the bot.' })
  chatId!: string;

  @Field(() => String, { description: 'Telegram first name.' })
  firstName!: string;

  @Field(() => String, { nullable: true, description: 'Telegram last name.' })
  lastName?: string | null;

  @Field(() => String, { nullable: true, description: 'Telegram @username, without the @.' })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'IETF language tag Telegram reports, e.g. "en".' })
  languageCode?: string | null;
}

@InputType({ description: 'The Telegram account to link to an email account.' })
export class BindingStartInput {
  @Field(() => ID, { description: 'Telegram user id.' })
  telegramId!: string;

  @Field(() => ID, { description: 'The private chat id with the bot, where the result is announced.' })
  chatId!: string;

  @Field(() => String, { description: 'Telegram first name, shown on the link page.' })
  firstName!: string;

  @Field(() => String, { nullable: true, description: 'Telegram last name, shown on the link page.' })
  lastName?: string | null;

  @Field(() => String, { nullable: true, description: 'Telegram @username, shown on the link page.' })
  username?: string | null;
}

@ObjectType({ description: 'A one-time link code for connecting a Telegram account to an email account.' })
export class BindingStart {
  @Field(() => String, { description: 'The code (single use, valid 10 minutes).' })
  code!: string;

  @Field(() => String, { description: 'The page where the user signs in and confirms.' })
  url!: string;

  @Field(() => DateTimeISOResolver, { description: 'When the code stops working.' })
  expiresAt!: Date;
}

@ObjectType({ description: 'The Telegram account a link code would connect, shown before confirming.' })
export class BindingInfo {
  @Field(() => ID, { description: 'Telegram user id.' })
  telegramId!: string;

  @Field(() => String, { description: 'Telegram first name.' })
  firstName!: string;

  @Field(() => String, { nullable: true, description: 'Telegram last name.' })
  lastName!: string | null;

  @Field(() => String, { nullable: true, description: 'Telegram @username, without the @.' })
  username!: string | null;

  @Field(() => DateTimeISOResolver, { description: 'When the code stops working.' })
  expiresAt!: Date;
}

@InputType({ description: 'Email and password for a user who so far signs in only through Telegram.' })
export class SetEmailPasswordInput {
  @Field(() => String, { description: 'Email address to sign in with.' })
  email!: string;

  @Field(() => String, { description: '8 to 128 characters; common passwords are refused.' })
  password!: string;
}

@ObjectType({ description: 'A message the bot owes a Telegram user (budget alert, completed link...).' })
export class BotNotification {
  @Field(() => ID, { description: 'Acknowledge with this id once Telegram accepted the message.' })
  id!: string;

  @Field(() => NotificationKind, { description: 'What happened.' })
  kind!: NotificationKind;

  @Field(() => ID, {
    description: 'The Telegram user to tell (their private chat with the bot has the same id).',
  })
  telegramId!: string;

  @Field(() => JSONObjectResolver, { description: 'The details, depending on kind.' })
  payload!: Record<string, unknown>;

  @Field(() => DateTimeISOResolver, { description: 'When it was recorded.' })
  createdAt!: Date;
}
