import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../shared/clock.js';
import { unauthenticated } from '../../shared/errors.js';
import type { Principal } from './auth.service.js';
import { readCaller, type Caller } from './caller.js';

/**
 * What a committed change makes stale: sessions by id (a personal access token by `tokenCallerKey`), every session of a user (their memberships or
 * default family changed, or all their sessions ended), every member of a family (its settings changed).
 */
export interface CallerChange {
  sessions?: string[];
  users?: string[];
  families?: string[];
}

/** Bounds: an entry is dropped a minute after it was read, whatever happens to the subscription. */
const MAX_ENTRIES = 10_000;
const TTL_MS = 60_000;

/**
 * The callers of live sessions, kept per process so that a signed-in request skips the caller statement
 * (J4 stays true: PostgreSQL decides, this only remembers its answer until told otherwise).
 *
 * It is trusted only while this process hears every change (`SessionEvents` calls `setListening`): losing
 * the subscription drops every entry, and nothing is stored again until it is back, so an entry never
 * outlives a change this process did not hear about. A read of the database that began before a change
 * or a subscription event was applied may carry the old state; `generation` counts both, and such a read
 * answers its own request but is not stored.
 */
export class CallerCache {
  private readonly entries = new LRUCache<string, Caller>({ max: MAX_ENTRIES, ttl: TTL_MS });
  private generation = 0;
  private listening = false;
  /** For /metrics: answers from memory, from the database while listening, and while not listening. */
  readonly counts = { hit: 0, miss: 0, unsubscribed: 0 };

  /** Told of every change this process applies; `null` means "anything may have changed". */
  private readonly listeners = new Set<(change: CallerChange | null) => void>();

  constructor(private readonly clock: Clock) {}

  /**
   * Calls `listener` after each change is applied here (the same changes the cache forgets on), so others
   * that hold callers for longer than a request, such as live sockets, check them again.
   */
  onChange(listener: (change: CallerChange | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.entries.size;
  }

  get isListening(): boolean {
    return this.listening;
  }

  /** The caller of a verified access token's session: from memory, or from the database and remembered. */
  async read(em: EntityManager, principal: Principal): Promise<Caller> {
    const caller = await this.remember(
      principal.sessionId,
      () => readCaller(em, principal),
      (known) => known.userId === principal.userId,
    );
    if (caller.sessionExpiresAt.getTime() <= this.clock.now().getTime()) {
      throw unauthenticated('This session has ended. Please sign in again.');
    }
    return caller;
  }

  /**
   * The caller remembered under `key` (a session id, or `tokenCallerKey` of a personal access token) if
   * `matches` accepts it, else loaded and remembered under the same rules. Expiry is the caller's to check.
   */
  async remember(
    key: string,
    load: () => Promise<Caller>,
    matches: (known: Caller) => boolean = () => true,
  ): Promise<Caller> {
    const known = this.listening ? this.entries.get(key) : undefined;
    if (known !== undefined && matches(known)) {
      this.counts.hit++;
      return known;
    }
    const { generation, listening } = this;
    this.counts[listening ? 'miss' : 'unsubscribed']++;
    const caller = await load();
    if (listening && generation === this.generation) this.entries.set(key, caller);
    return caller;
  }

  /** Forgets whatever the change touched. Users and families are rare changes: a scan is fine. */
  apply(change: CallerChange): void {
    this.forget(change);
    for (const listener of this.listeners) listener(change);
  }

  private forget(change: CallerChange): void {
    this.generation++;
    for (const id of change.sessions ?? []) this.entries.delete(id);
    const users = new Set(change.users);
    const families = new Set(change.families);
    if (users.size === 0 && families.size === 0) return;
    const stale: string[] = [];
    for (const [sessionId, caller] of this.entries.entries()) {
      if (users.has(caller.userId) || [...caller.roles.keys()].some((id) => families.has(id)))
        stale.push(sessionId);
    }
    for (const sessionId of stale) this.entries.delete(sessionId);
  }

  /** Whether every change reaches this process from now on; when it stops, everything remembered goes. */
  setListening(listening: boolean): void {
    this.listening = listening;
    this.forgetAll();
  }

  forgetAll(): void {
    this.generation++;
    this.entries.clear();
    for (const listener of this.listeners) listener(null);
  }
}
