import { systemClock, type Clock } from '../clock.js';
import type { KeyValueStore } from './kv-store.js';

interface Entry {
  value: string;
  /** Epoch ms, or undefined for no expiry. */
  expiresAt: number | undefined;
}

/** In-process store for a single instance (development, embedded mode). Expiry follows the given clock. */
export class MemoryStore implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly clock: Clock = systemClock) {
    // Lazily expired keys would otherwise pile up in a long-running dev server.
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.expiry(ttlSeconds) });
  }

  async delete(...keys: string[]): Promise<number> {
    let removed = 0;
    for (const key of keys) {
      if (this.live(key) !== undefined) removed++;
      this.entries.delete(key);
    }
    return removed;
  }

  async increment(
    key: string,
    windowSeconds: number,
    peek: string[] = [],
    by = 1,
  ): Promise<{ count: number; ttlSeconds: number; peeked: (string | null)[] }> {
    const peeked = peek.map((k) => this.live(k)?.value ?? null);
    const entry = this.live(key);
    if (entry === undefined) {
      this.entries.set(key, { value: String(by), expiresAt: this.expiry(windowSeconds) });
      return { count: by, ttlSeconds: windowSeconds, peeked };
    }
    const count = Number(entry.value) + by;
    entry.value = String(count);
    const ttlSeconds =
      entry.expiresAt === undefined
        ? -1
        : Math.max(1, Math.ceil((entry.expiresAt - this.clock.now().getTime()) / 1000));
    return { count, ttlSeconds, peeked };
  }

  async bump(key: string, ttlSeconds: number): Promise<number> {
    const count = Number(this.live(key)?.value ?? 0) + 1;
    this.entries.set(key, { value: String(count), expiresAt: this.expiry(ttlSeconds) });
    return count;
  }

  async getDelete(key: string): Promise<string | null> {
    const entry = this.live(key);
    this.entries.delete(key);
    return entry?.value ?? null;
  }

  /** A closed store is unavailable, so readiness checks report it like an unreachable Redis. */
  async ping(): Promise<void> {
    if (this.closed) throw new Error('The key-value store is closed.');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.entries.clear();
  }

  private expiry(ttlSeconds: number | undefined): number | undefined {
    return ttlSeconds === undefined ? undefined : this.clock.now().getTime() + ttlSeconds * 1000;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.clock.now().getTime()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    for (const key of [...this.entries.keys()]) this.live(key);
  }
}
