import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.js';
import type { CallerCache, CallerChange } from './caller-cache.js';

/**
 * Tells every API process that sessions, memberships, roles, default families or family settings changed,
 * so each one forgets the callers it remembers (CallerCache). Services call `publish` after their commit
 * and before they answer: every mutation that changes what a Caller holds goes through here.
 */
export interface SessionEvents {
  /** Resolves once every process applied the change, or after a bounded wait (logged). Never throws. */
  publish(change: CallerChange): Promise<void>;
  close(): Promise<void>;
}

/** One process (REDIS_URL unset, the embedded start): the change is applied right here. */
export class LocalSessionEvents implements SessionEvents {
  constructor(private readonly cache: CallerCache) {
    cache.setListening(true);
  }

  async publish(change: CallerChange): Promise<void> {
    this.cache.apply(change);
  }

  async close(): Promise<void> {
    this.cache.setListening(false);
  }
}

/** Redis must answer a command (PUBLISH, the subscriber's PING) within this, or is taken for gone. */
const COMMAND_TIMEOUT_MS = 1000;
/** How often the subscriber proves its connection alive: a silent one would hide lost changes. */
const HEARTBEAT_MS = 1000;
/**
 * How long a publisher waits for acknowledgements. By then a replica that missed the change has also
 * missed a heartbeat (HEARTBEAT_MS + COMMAND_TIMEOUT_MS) and dropped its cache, if its Redis is the
 * publisher's Redis.
 */
const CONFIRM_MS = HEARTBEAT_MS + COMMAND_TIMEOUT_MS + 500;

interface Envelope {
  id: string;
  from: string;
  change: CallerChange;
}

interface Pending {
  acks: number;
  /** How many subscribers PUBLISH reached; unknown until it answers. */
  expected: number;
  resolve(): void;
}

/**
 * Redis pub/sub with acknowledgements. PUBLISH answers how many subscribers received the message; each
 * replica (the publisher too) applies the change, then acknowledges on the publisher's own channel, and
 * the publisher waits for that many acknowledgements. So when the mutation answers, every replica that
 * could have remembered the old state has forgotten it, and the very next request anywhere reads the
 * database. This costs the publisher two Redis round trips (measured: a median of 0.6-1 ms with three
 * processes on a loaded two-core machine), and these mutations are rare.
 *
 * When that cannot be confirmed (Redis unreachable or frozen, a replica silent), the publisher logs it and
 * answers only after CONFIRM_MS: by then every replica whose subscription broke has noticed (the
 * connection closed, or a heartbeat PING went unanswered) and dropped its cache, reading PostgreSQL per
 * request until it has subscribed again. What this cannot see, a replica that keeps its subscription
 * but does not act (its event loop stalled) or a publisher cut off from a Redis the others still reach,
 * is bounded by the cache's one-minute TTL.
 */
export class RedisSessionEvents implements SessionEvents {
  private readonly id = randomUUID();
  private readonly channel: string;
  private readonly ackChannel: string;
  private readonly subscriber: Redis;
  private readonly publisher: Redis;
  private readonly pending = new Map<string, Pending>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    url: string,
    prefix: string,
    private readonly cache: CallerCache,
    private readonly logger: Logger,
  ) {
    this.channel = `${prefix}session-events`;
    this.ackChannel = `${prefix}session-events:ack:${this.id}`;
    const options = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: COMMAND_TIMEOUT_MS,
    };
    // Subscriptions are renewed by hand on every reconnect, so the cache is trusted only once they hold.
    this.subscriber = new Redis(url, { ...options, autoResubscribe: false });
    this.publisher = new Redis(url, options);
    this.subscriber.on('error', () => {});
    this.publisher.on('error', () => {});
    this.subscriber.on('close', () => this.cache.setListening(false));
    this.subscriber.on('message', (channel: string, text: string) => this.receive(channel, text));
  }

  /** Connects and subscribes; from then on the cache is in use whenever the subscription holds. */
  async start(): Promise<void> {
    await Promise.all([this.subscriber.connect(), this.publisher.connect()]);
    await this.subscribe();
    this.subscriber.on('ready', () => {
      this.subscribe().catch((error: unknown) => {
        this.logger.warn(
          { err: error },
          'session events: could not subscribe again; callers are read from the database',
        );
      });
    });
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async publish(change: CallerChange): Promise<void> {
    if (!change.sessions?.length && !change.users?.length && !change.families?.length) return;
    this.cache.apply(change);
    const id = randomUUID();
    const pending: Pending = { acks: 0, expected: Number.POSITIVE_INFINITY, resolve: () => {} };
    const acknowledged = new Promise<true>((resolve) => (pending.resolve = () => resolve(true)));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CONFIRM_MS)));
    this.pending.set(id, pending);
    try {
      const envelope: Envelope = { id, from: this.id, change };
      pending.expected = await this.publisher.publish(this.channel, JSON.stringify(envelope));
      if (pending.acks >= pending.expected) pending.resolve();
      if (!(await Promise.race([acknowledged, deadline]))) {
        this.logger.warn(
          { receivers: pending.expected, acknowledged: pending.acks },
          'session events: not every API process confirmed a session change in time',
        );
      }
    } catch (error) {
      this.logger.warn(
        { err: error },
        'session events: Redis unreachable, a session change was not published; waiting out the heartbeat',
      );
      await deadline;
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.cache.setListening(false);
    for (const pending of this.pending.values()) pending.resolve();
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  private async subscribe(): Promise<void> {
    await this.subscriber.subscribe(this.channel, this.ackChannel);
    this.cache.setListening(true);
  }

  private receive(channel: string, text: string): void {
    if (channel === this.ackChannel) {
      const pending = this.pending.get(text);
      if (pending !== undefined && ++pending.acks >= pending.expected) pending.resolve();
      return;
    }
    if (channel !== this.channel) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      // Not ours to understand; the only safe reading of a garbled change is "everything changed".
      this.cache.forgetAll();
      return;
    }
    this.cache.apply(envelope.change);
    this.publisher.publish(`${this.channel}:ack:${envelope.from}`, envelope.id).catch(() => {
      // The publisher times out and says so.
    });
  }

  /**
   * A connection that stopped answering loses the cache and is replaced; a connection that is up but not
   * subscribed (a SUBSCRIBE that failed after a reconnect) tries again.
   */
  private beat(): void {
    if (!this.cache.isListening) {
      if (this.subscriber.status === 'ready') this.subscribe().catch(() => {});
      return;
    }
    this.subscriber.ping().catch(() => {
      this.cache.setListening(false);
      this.subscriber.disconnect(true);
    });
  }
}

/** Redis pub/sub when REDIS_URL is set, otherwise in-process (one instance, like the key-value store). */
export async function createSessionEvents(
  redisUrl: string | undefined,
  prefix: string,
  cache: CallerCache,
  logger: Logger,
): Promise<SessionEvents> {
  if (redisUrl === undefined) return new LocalSessionEvents(cache);
  const events = new RedisSessionEvents(redisUrl, prefix, cache, logger);
  try {
    await events.start();
  } catch (error) {
    await events.close();
    throw error;
  }
  return events;
}
