import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import type { NotificationRow } from './notification.read.js';
import { NotificationList, NotificationObject } from './notification.types.js';

@Resolver(() => NotificationObject)
export class NotificationResolver {
  @Query(() => NotificationList, {
    description: "The caller's notifications, newest first, with the unread count (web clients).",
  })
  async notifications(
    @Arg('unreadOnly', () => Boolean, { defaultValue: false, description: 'Only the unread ones.' })
    unreadOnly: boolean,
    @Arg('first', () => Int, { defaultValue: 50, description: 'How many, 1 to 100.' }) first: number,
    @Ctx() ctx: Context,
  ): Promise<{ items: NotificationRow[]; unreadCount: number }> {
    return (await ctx.finance()).notifications.list(unreadOnly, first);
  }

  @Mutation(() => [NotificationObject], {
    description:
      "Marks the caller's notifications read: the given ones (NOT_FOUND if one is not the caller's, and " +
      'then none is marked), or every unread one without ids. Answers them with readAt, for client caches.',
  })
  async markNotificationsRead(
    @Arg('ids', () => [ID], { nullable: true, description: 'The notifications; omit for all unread.' })
    ids: string[] | null,
    @Ctx() ctx: Context,
  ): Promise<NotificationRow[]> {
    return (await ctx.finance()).notifications.markRead(ids);
  }
}
