import { DateTimeISOResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { NotificationKind } from './notification-kind.js';
import type { NotificationRow } from './notification.read.js';

/** The GraphQL `Notification`; resolvers receive a `NotificationRow`. */
@ObjectType('Notification', {
  description: 'Something the user was told about (a budget alert, a linked Telegram account).',
})
export class NotificationObject implements Omit<NotificationRow, 'familyId'> {
  @Field(() => ID, { description: 'Stable identifier of the notification.' })
  id!: string;

  @Field(() => NotificationKind, { description: 'What it is about; the payload depends on it.' })
  kind!: NotificationKind;

  @Field(() => ID, { nullable: true, description: 'The family it concerns, if any.' })
  familyId!: string | null;

  @Field(() => JSONObjectResolver, { description: 'The details, depending on kind.' })
  payload!: Record<string, unknown>;

  @Field(() => DateTimeISOResolver, { description: 'When it was recorded.' })
  createdAt!: Date;

  @Field(() => DateTimeISOResolver, {
    nullable: true,
    description: 'When the user marked it read (markNotificationsRead); null while unread.',
  })
  readAt!: Date | null;
}

@ObjectType({ description: "The newest of the user's notifications, and how many are unread in all." })
export class NotificationList {
  @Field(() => [NotificationObject], { description: 'Newest first.' })
  items!: NotificationRow[];

  @Field(() => Int, { description: 'Unread notifications, all of them (not only this list).' })
  unreadCount!: number;
}
