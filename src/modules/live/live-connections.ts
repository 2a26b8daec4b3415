import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import type { Deps } from '../../deps.js';
import { AppError, ErrorCode, unauthenticated } from '../../shared/errors.js';
import type { VerifiedClaims } from '../auth/access-tokens.js';
import type { CallerChange } from '../auth/caller-cache.js';
import type { Caller } from '../auth/caller.js';
import { FamilyAccess } from '../family/family-access.js';
import type { LiveEvents, LiveTopic, LiveTopics } from './live-events.js';

/** The part of a socket this needs: closing it with a code and a reason the client sees. */
export interface ClosableSocket {
  close(code: number, reason: string): void;
}

/**
 * Close codes, beside graphql-ws's own. Authentication problems close with 4403, which graphql-ws
 * clients retry: the client's connectionParams run again and bring a fresh access token (after a
 * refresh), or the app signs in again. Too many sockets closes with 4429, which they do not retry.
 */
export const CLOSE = {
  AUTH: 4403,
  TOO_MANY: 4429,
  /** The database could not be reached while checking the session again; reconnecting may work. */
  RETRY: 1011,
} as const;

/**
 * One authenticated socket: the caller its access token stands for, kept true while it is open. Session
 * changes (logout, revocation, password change, membership changes) arrive through the CallerCache's
 * listeners and make it read the caller again; until that read is done, events wait (`allows` awaits it).
 */
export class LiveConnection {
  private pending: Promise<void> = Promise.resolve();
  private expiry: NodeJS.Timeout | undefined;
  private closed = false;
  subscriptions = 0;

  constructor(
    private readonly owner: LiveConnections,
    private readonly socket: ClosableSocket,
    public caller: Caller,
    public claims: VerifiedClaims,
  ) {}

  get userId(): string {
    return this.caller.userId;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Whether the caller is, at this event, still signed in and a member of `familyId`. */
  async allows(familyId: string): Promise<boolean> {
    await this.pending;
    if (!this.isOpen) return false;
    return [...(await this.access().memberships()).keys()].some((id) => id === familyId);
  }

  /** The socket's caller, once any re-check in progress is done; UNAUTHENTICATED once it closed. */
  async currentCaller(): Promise<Caller> {
    await this.pending;
    if (!this.isOpen) throw unauthenticated('This session has ended. Please sign in again.');
    return this.caller;
  }

  /** Whether the caller is still signed in (events addressed to the user, not to a family). */
  async live(): Promise<boolean> {
    await this.pending;
    return this.isOpen;
  }

  /** The caller's families as FamilyAccess sees them, for checks made in the middle of a stream. */
  access(): FamilyAccess {
    return new FamilyAccess(this.owner.accessEm, this.caller);
  }

  /** Reads shared by every subscriber of this process (LiveConnections.shared). */
  shared<T>(key: string, read: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.owner.shared(key, read);
  }

  /** Listens to `topic` for `id` (a family or the user): an async iterable of its events. */
  subscribe<K extends LiveTopic>(topic: K, id: string): AsyncIterable<LiveTopics[K][1]> {
    return (this.owner.events.pubSub.subscribe as (t: string, i: string) => AsyncIterable<LiveTopics[K][1]>)(
      topic,
      id,
    );
  }

  /** Reads the caller again (the session or the memberships changed); closes the socket if it ended. */
  recheck(): void {
    if (this.closed) return;
    const claims = this.claims;
    const read = this.pending.then(async () => {
      try {
        this.caller = await this.owner.readCaller(claims);
      } catch (error) {
        if (error instanceof AppError && error.code === ErrorCode.UNAUTHENTICATED) {
          this.close(CLOSE.AUTH, 'Session ended');
        } else {
          this.close(CLOSE.RETRY, 'Could not check the session; reconnect');
        }
      }
    });
    this.pending = read;
  }

  /** Adopts a newer access token of the same user (renewal); closes the socket if it is not valid. */
  async renew(token: unknown): Promise<void> {
    if (this.closed) return;
    try {
      const claims = this.owner.verify(token);
      if (claims.userId !== this.caller.userId) throw new Error('another user');
      const caller = await this.owner.readCaller(claims);
      this.claims = claims;
      this.caller = caller;
      this.scheduleExpiry();
    } catch {
      this.close(CLOSE.AUTH, 'Access token refused');
    }
  }

  /** Closes the socket when the access token expires, unless a renewal came first. */
  scheduleExpiry(): void {
    clearTimeout(this.expiry);
    const left = this.claims.expiresAt.getTime() - this.owner.now();
    // setTimeout's limit is about 24.8 days; an access token lives minutes.
    this.expiry = setTimeout(() => this.close(CLOSE.AUTH, 'Access token expired'), Math.max(0, left));
    this.expiry.unref();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.expiry);
    this.owner.forget(this);
    this.socket.close(code, reason);
  }

  /** The socket closed from the other side (or after `close`). */
  closedByPeer(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.expiry);
    this.owner.forget(this);
  }
}

/** Why a socket was refused at connection_init. */
export class ConnectionRefused extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * The live sockets of this process, by user: authentication at connection_init with the same checks as
 * an HTTP request (signature and claims, then the session row through the CallerCache, J1 and J4), the
 * per-user limit, and the session events that end or narrow them.
 */
export class LiveConnections {
  private readonly byUser = new Map<string, Set<LiveConnection>>();
  /**
   * One read per event and process, shared by every subscriber here that selects it: an event reaches
   * each member's socket, and they all want the same row. Kept a few seconds, for the stragglers.
   */
  private readonly reads = new LRUCache<string, Promise<unknown>>({ max: 1000, ttl: 5000 });
  private readonly unlisten: () => void;
  /**
   * The EntityManager every socket's FamilyAccess is made with: the checks made mid-stream read the
   * memberships the caller holds and never query, so one fork serves them all (a fork per socket cost
   * memory for nothing).
   */
  readonly accessEm: EntityManager;

  constructor(
    private readonly deps: Deps,
    readonly events: LiveEvents,
  ) {
    this.unlisten = deps.callers.onChange((change) => this.changed(change));
    this.accessEm = this.em();
  }

  get size(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  get subscriptionCount(): number {
    let n = 0;
    for (const set of this.byUser.values()) for (const connection of set) n += connection.subscriptions;
    return n;
  }

  /**
   * Authenticates a socket with the access token it sent in connection_init. Throws ConnectionRefused
   * for a missing or invalid token, an ended session, or one socket too many for this user.
   */
  async open(socket: ClosableSocket, token: unknown): Promise<LiveConnection> {
    let claims: VerifiedClaims;
    let caller: Caller;
    try {
      claims = this.verify(token);
      caller = await this.readCaller(claims);
    } catch {
      throw new ConnectionRefused(CLOSE.AUTH, 'Forbidden');
    }
    const mine = this.byUser.get(caller.userId) ?? new Set<LiveConnection>();
    if (mine.size >= this.deps.config.live.maxConnectionsPerUser) {
      throw new ConnectionRefused(CLOSE.TOO_MANY, 'Too many connections for this user');
    }
    const connection = new LiveConnection(this, socket, caller, claims);
    mine.add(connection);
    this.byUser.set(caller.userId, mine);
    connection.scheduleExpiry();
    return connection;
  }

  /** Closes every socket (shutdown). */
  closeAll(code: number, reason: string): void {
    for (const set of [...this.byUser.values()])
      for (const connection of [...set]) connection.close(code, reason);
    this.unlisten();
  }

  /**
   * `read` once per `key` (an event id and what is read for it) in this process. Only for what an event
   * names in a family whose membership each subscriber's stream has just checked (LiveConnection.allows).
   */
  shared<T>(key: string, read: (em: EntityManager) => Promise<T>): Promise<T> {
    let found = this.reads.get(key) as Promise<T> | undefined;
    if (found === undefined) {
      found = read(this.em());
      this.reads.set(key, found);
      // A failed read is not kept: the next subscriber tries again.
      found.catch(() => this.reads.delete(key));
    }
    return found;
  }

  em(): EntityManager {
    return this.deps.orm.em.fork() as EntityManager;
  }

  now(): number {
    return this.deps.clock.now().getTime();
  }

  verify(token: unknown): VerifiedClaims {
    if (typeof token !== 'string' || token.length > 4096) throw new Error('no token');
    return this.deps.accessTokens.verify(token);
  }

  readCaller(claims: VerifiedClaims): Promise<Caller> {
    return this.deps.callers.read(this.em(), claims);
  }

  forget(connection: LiveConnection): void {
    const mine = this.byUser.get(connection.userId);
    mine?.delete(connection);
    if (mine?.size === 0) this.byUser.delete(connection.userId);
  }

  /** Each socket the change may touch reads its caller again; `null` (anything changed) means all. */
  private changed(change: CallerChange | null): void {
    const sessions = new Set(change?.sessions);
    const users = new Set(change?.users);
    const families = new Set(change?.families);
    for (const set of this.byUser.values()) {
      for (const connection of set) {
        if (
          change === null ||
          sessions.has(connection.claims.sessionId) ||
          users.has(connection.userId) ||
          [...connection.caller.roles.keys()].some((id) => families.has(id))
        ) {
          connection.recheck();
        }
      }
    }
  }
}
