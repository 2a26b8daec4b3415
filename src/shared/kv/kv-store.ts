/**
 * The few key-value operations the app needs. Redis in production; an in-process map when REDIS_URL is
 * unset (one instance only). Both pass the same contract tests.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  /** Sets a value; with `ttlSeconds` it expires after that many seconds. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Deletes keys; returns how many existed. */
  delete(...keys: string[]): Promise<number>;
  /**
   * Atomically increments a counter. The expiry is set when the counter is created and not extended
   * by later increments (a fixed window). Returns the new count and the seconds left in the window, and
   * the current values of the `peek` keys, read in the same round trip. `by` (default 1) is added.
   */
  increment(
    key: string,
    windowSeconds: number,
    peek?: string[],
    by?: number,
  ): Promise<{ count: number; ttlSeconds: number; peeked: (string | null)[] }>;
  /**
   * Atomically increments a counter and restarts its expiry: it is forgotten `ttlSeconds` after the
   * latest increment. Returns the new count.
   */
  bump(key: string, ttlSeconds: number): Promise<number>;
  /** Atomically reads and deletes a key: of two concurrent callers only one gets the value. */
  getDelete(key: string): Promise<string | null>;
  /** Throws when the store is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
