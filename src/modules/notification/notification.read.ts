import { col, shape, type RowOf } from '../../db/rows.js';
import type { NotificationKind } from './notification-kind.js';

/** The GraphQL `Notification` as the read layer hands it over. */
export const NOTIFICATION = shape({
  id: col.text('id'),
  kind: col.enum<NotificationKind>()('kind'),
  familyId: col.textOrNull('family_id'),
  payload: col.object('payload'),
  createdAt: col.timestamp('created_at'),
  readAt: col.timestampOrNull('read_at'),
});

export type NotificationRow = RowOf<typeof NOTIFICATION>;
