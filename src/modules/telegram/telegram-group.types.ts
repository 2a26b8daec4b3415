import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { TelegramGroupRow } from './telegram-group.read.js';

@ObjectType('TelegramGroup', {
  description:
    'A Telegram group chat connected to a family: members record there, and budget alerts go there.',
})
export class TelegramGroupObject implements TelegramGroupRow {
  @Field(() => ID, { description: 'Stable identifier of the connection.' })
  id!: string;

  @Field(() => ID, { description: 'The Telegram group chat id (negative, 64-bit, as a string).' })
  chatId!: string;

  @Field(() => String, { description: 'The group title when it was connected.' })
  title!: string;

  @Field(() => ID, { description: 'The family the group belongs to.' })
  familyId!: string;

  @Field(() => DateTimeISOResolver, { description: 'When the group was connected.' })
  connectedAt!: Date;
}

@InputType({
  description: 'A Telegram group to connect to a family (the bot sends this for an owner or admin).',
})
export class ConnectTelegramGroupInput {
  @Field(() => ID, { nullable: true, description: "The family; default: the caller's default family." })
  familyId?: string | null;

  @Field(() => ID, { description: 'The Telegram group chat id (negative).' })
  chatId!: string;

  @Field(() => String, { description: 'The group title, 1 to 128 characters.' })
  title!: string;
}
