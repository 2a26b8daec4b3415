import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createPubSub, type PubSub, type PubSubEventTarget } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.js';
import type { NotificationKind } from '../notification/notification-kind.js';

export type ChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

/** A transaction of `familyId` was created, changed or deleted (committed). */
export interface TransactionChangedEvent {
  /** Names this event: every subscriber of a process shares one read of what it points at. */
  eventId: string;
  familyId: string;
  transactionId: string;
  change: ChangeKind;
}

/** These accounts of `familyId` have new balances (committed). */
export interface BalancesChangedEvent {
  eventId: string;
  familyId: string;
  accountIds: string[];
}

/** A budget of `familyId` crossed a threshold this period (its notifications are recorded). */
export interface BudgetAlertEvent {
  familyId: string;
  budgetId: string;
  category: string | null;
  threshold: number;
  periodStart: string;
  periodEnd: string;
  spent: { amount: string; currency: string };
  available: { amount: string; currency: string };
  percentUsed: string | null;
}

/** A notification recorded for `userId`. */
export interface NotificationEvent {
  id: string;
  userId: string;
  familyId: string | null;
  kind: NotificationKind;
  payload: Record<string, unknown>;
  /** ISO text: events cross Redis as JSON. */
  createdAt: string;
}

/**
 * The in-process event target. Every subscriber of a family listens on the family's topic, so a hundred
 * sockets of one family are a hundred listeners of one event type: not the leak Node warns about past ten.
 */
function localTarget(): PubSubEventTarget<LiveTopics> {
  const target = new EventTarget();
  setMaxListeners(0, target);
  return target as PubSubEventTarget<LiveTopics>;
}

/** Topic -> [routing id (a family or a user), event]. */
export type LiveTopics = {
  transactionChanged: [familyId: string, event: TransactionChangedEvent];
  balancesChanged: [familyId: string, event: BalancesChangedEvent];
  budgetAlert: [familyId: string, event: BudgetAlertEvent];
  notificationAdded: [userId: string, event: NotificationEvent];
};
export type LiveTopic = keyof LiveTopics;

interface Envelope {
  topic: LiveTopic;
  id: string;
  event: unknown;
}

/**
 * Where services announce committed changes for live subscribers, in this process and every other.
 *
 * Delivery inside a process is graphql-yoga's PubSub (an in-process event target). Across replicas each
 * process holds ONE Redis subscription, to one channel, made at start-up, and hands what arrives to its
 * local PubSub; a publish goes to Redis only, so every process, the publisher too, delivers from the same
 * path. Why not one Redis channel per topic and family (@graphql-yoga/redis-event-target): it subscribes
 * lazily, without waiting for Redis to confirm, when a family's first subscriber on a replica starts
 * listening, so an event published in that window is lost for every subscriber of that family there;
 * and it declares ioredis 5 as its peer while this project runs ioredis 6. The cost of one channel is that
 * every replica receives every event and drops those nobody there listens to: an event is a few hundred
 * bytes, and the fan-out bench (bench/README.md) measures it.
 *
 * Live updates are notices, not the record: a client that reconnects reads the current state over
 * HTTP. So a publish that fails (Redis down) is logged and dropped, never failing the write that caused it.
 */
export class LiveEvents {
  readonly pubSub: PubSub<LiveTopics> = createPubSub<LiveTopics>({ eventTarget: localTarget() });

  private constructor(
    private readonly logger: Logger,
    private readonly redis?: { publisher: Redis; subscriber: Redis; channel: string },
  ) {}

  /** In-process only: the embedded start, one process. */
  static local(logger: Logger): LiveEvents {
    return new LiveEvents(logger);
  }

  /** Across every process sharing this Redis (and key prefix). */
  static async redis(url: string, prefix: string, logger: Logger): Promise<LiveEvents> {
    const options = { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 };
    const publisher = new Redis(url, options);
    const subscriber = new Redis(url, options);
    publisher.on('error', () => {});
    subscriber.on('error', () => {});
    const events = new LiveEvents(logger, { publisher, subscriber, channel: `${prefix}live-events` });
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
      subscriber.on('message', (_channel: string, text: string) => events.receive(text));
      await subscriber.subscribe(`${prefix}live-events`);
    } catch (error) {
      await events.close();
      throw error;
    }
    return events;
  }

  static newEventId(): string {
    return randomUUID();
  }

  /** Announces a committed change; never throws. */
  publish<K extends LiveTopic>(topic: K, ...[id, event]: LiveTopics[K]): void {
    if (this.redis === undefined) {
      this.deliver(topic, id, event);
      return;
    }
    const envelope: Envelope = { topic, id, event };
    this.redis.publisher.publish(this.redis.channel, JSON.stringify(envelope)).catch((error: unknown) => {
      this.logger.warn({ err: error, topic }, 'live events: could not publish; subscribers miss this one');
    });
  }

  async close(): Promise<void> {
    this.redis?.subscriber.disconnect();
    this.redis?.publisher.disconnect();
  }

  private receive(text: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      return;
    }
    this.deliver(envelope.topic, envelope.id, envelope.event as LiveTopics[LiveTopic][1]);
  }

  private deliver(topic: LiveTopic, id: string, event: LiveTopics[LiveTopic][1]): void {
    (this.pubSub.publish as (topic: string, id: string, event: unknown) => void)(topic, id, event);
  }
}
