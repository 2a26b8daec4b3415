import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { AppError } from '../../src/shared/errors.js';
import type { KeyValueStore } from '../../src/shared/kv/kv-store.js';
import { MemoryStore } from '../../src/shared/kv/memory-store.js';
import { RedisStore } from '../../src/shared/kv/redis-store.js';
import { freePort } from '../../src/shared/net.js';
import { realRedis } from '../helpers/app.js';
import { TEST_REDIS_URL } from '../helpers/environment.js';

/** A store under test and a way to let time pass for it (a manual clock, or real waiting). */
interface Subject {
  store: KeyValueStore;
  elapse(seconds: number): Promise<void>;
}

const PREFIX = `fftest:${randomUUID()}:`;

/** The behaviour every KeyValueStore must have; each test uses keys of its own. */
function keyValueStoreContract(makeSubject: () => Promise<Subject>): void {
  let store: KeyValueStore;
  let elapse: (seconds: number) => Promise<void>;
  const key = (label: string) => `${label}:${randomUUID()}`;

  beforeEach(async () => {
    ({ store, elapse } = await makeSubject());
  });
  afterEach(async () => {
    await store.close();
  });

  it('answers null for a missing key', async () => {
    expect(await store.get(key('missing'))).toBeNull();
  });

  it('returns what was set, and the latest value after an overwrite', async () => {
    const k = key('set');
    await store.set(k, 'first');
    expect(await store.get(k)).toBe('first');
    await store.set(k, 'second');
    expect(await store.get(k)).toBe('second');
  });

  it('keeps a value until its TTL and drops it after', async () => {
    const k = key('ttl');
    await store.set(k, 'short-lived', 1);
    await elapse(0.5);
    expect(await store.get(k)).toBe('short-lived');
    await elapse(0.7);
    expect(await store.get(k)).toBeNull();
  });

  it('delete returns how many of the keys existed', async () => {
    const [a, b, expired] = [key('del-a'), key('del-b'), key('del-expired')];
    await store.set(a, '1');
    await store.set(b, '2');
    await store.set(expired, '3', 1);
    await elapse(1.2);
    expect(await store.delete(a, b, expired, key('del-missing'))).toBe(2);
    expect(await store.get(a)).toBeNull();
    expect(await store.get(b)).toBeNull();
    expect(await store.delete(a)).toBe(0);
    expect(await store.delete()).toBe(0);
  });

  it('increments atomically: 100 concurrent increments get 1..100 once each', async () => {
    const k = key('counter');
    const results = await Promise.all(Array.from({ length: 100 }, () => store.increment(k, 60)));
    const counts = results.map((r) => r.count).sort((x, y) => x - y);
    expect(counts).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    for (const { ttlSeconds } of results) {
      expect(ttlSeconds).toBeGreaterThan(0);
      expect(ttlSeconds).toBeLessThanOrEqual(60);
    }
    expect(await store.get(k)).toBe('100');
  });

  it('sets the window when the counter is created; later increments do not extend it', async () => {
    const k = key('window');
    expect(await store.increment(k, 2)).toEqual({ count: 1, ttlSeconds: 2, peeked: [] });
    await elapse(1.2);
    // A renewing implementation would answer 2 here and keep the counter past the first window.
    expect(await store.increment(k, 2)).toEqual({ count: 2, ttlSeconds: 1, peeked: [] });
    expect(await store.increment(k, 60)).toEqual({ count: 3, ttlSeconds: 1, peeked: [] });
    await elapse(1);
    expect(await store.increment(k, 2)).toEqual({ count: 1, ttlSeconds: 2, peeked: [] });
  });

  it('adds `by` when given, and sets the window when that creates the counter', async () => {
    const k = key('by');
    expect(await store.increment(k, 2, [], 5)).toEqual({ count: 5, ttlSeconds: 2, peeked: [] });
    await elapse(1.2);
    expect(await store.increment(k, 2, [], 3)).toEqual({ count: 8, ttlSeconds: 1, peeked: [] });
    expect(await store.increment(k, 2)).toEqual({ count: 9, ttlSeconds: 1, peeked: [] });
  });

  it('reports at least one second left while the window is still open', async () => {
    const k = key('window-end');
    await store.increment(k, 1);
    await elapse(0.7);
    expect(await store.increment(k, 1)).toEqual({ count: 2, ttlSeconds: 1, peeked: [] });
  });

  it('increment reads the peeked keys in the same call, missing ones as null, in order', async () => {
    const [counter, a, missing, b] = [key('peek-counter'), key('peek-a'), key('peek-missing'), key('peek-b')];
    await store.set(a, 'first');
    await store.set(b, 'last', 1);
    expect(await store.increment(counter, 60, [a, missing, b])).toEqual({
      count: 1,
      ttlSeconds: 60,
      peeked: ['first', null, 'last'],
    });
    expect((await store.increment(counter, 60, [missing, missing])).peeked).toEqual([null, null]);
    await elapse(1.2);
    expect((await store.increment(counter, 60, [b, a])).peeked).toEqual([null, 'first']);
  });

  it('bump counts atomically and forgets the counter its TTL after the latest bump', async () => {
    const k = key('bump');
    const counts = await Promise.all(Array.from({ length: 20 }, () => store.bump(k, 2)));
    expect(counts.sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await elapse(1.2);
    // A fixed window would end here; each bump starts the memory anew.
    expect(await store.bump(k, 2)).toBe(21);
    await elapse(1.2);
    expect(await store.get(k)).toBe('21');
    await elapse(1);
    expect(await store.get(k)).toBeNull();
    expect(await store.bump(k, 2)).toBe(1);
  });

  it('getDelete hands the value to exactly one of two concurrent callers', async () => {
    const k = key('once');
    await store.set(k, 'secret');
    const results = await Promise.all([store.getDelete(k), store.getDelete(k)]);
    expect(results.filter((r) => r === 'secret')).toHaveLength(1);
    expect(results.filter((r) => r === null)).toHaveLength(1);
    expect(await store.get(k)).toBeNull();
    expect(await store.getDelete(k)).toBeNull();
  });

  it('ping resolves while open and rejects once closed', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });
}

describe('MemoryStore (manual clock)', () => {
  keyValueStoreContract(async () => {
    const clock = new ManualClock();
    return {
      store: new MemoryStore(clock),
      elapse: async (seconds) => clock.advance(seconds * 1000),
    };
  });
});

describe.runIf(realRedis)(`RedisStore (needs a reachable Redis at ${TEST_REDIS_URL})`, () => {
  const raw = new Redis(TEST_REDIS_URL, { lazyConnect: true });

  afterAll(async () => {
    const keys = await raw.keys(`${PREFIX}*`);
    if (keys.length > 0) await raw.del(...keys);
    raw.disconnect();
  });

  describe('contract', () => {
    keyValueStoreContract(async () => {
      const store = new RedisStore(TEST_REDIS_URL, PREFIX);
      await store.connect();
      return { store, elapse: (seconds) => sleep(seconds * 1000) };
    });
  });

  it('stores every key under its prefix', async () => {
    const store = new RedisStore(TEST_REDIS_URL, PREFIX);
    await store.connect();
    try {
      const k = `prefixed:${randomUUID()}`;
      await store.set(k, 'v', 30);
      await store.increment(`${k}:counter`, 30);
      expect(await raw.get(`${PREFIX}${k}`)).toBe('v');
      expect(await raw.get(k)).toBeNull();
      expect(await raw.get(`${PREFIX}${k}:counter`)).toBe('1');
      const ttl = await raw.ttl(`${PREFIX}${k}:counter`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30);
    } finally {
      await store.close();
    }
  });

  it('fails connect() when nothing listens on the port', async () => {
    const store = new RedisStore(`redis://127.0.0.1:${await freePort()}`, PREFIX);
    try {
      await expect(store.connect()).rejects.toThrow();
    } finally {
      await store.close();
    }
  });

  it('rejects commands with SERVICE_UNAVAILABLE once its server is gone', async () => {
    const server = await disposableRedis();
    const store = new RedisStore(server.url, PREFIX);
    try {
      await store.connect();
      await store.set('k', 'v');
      expect(await store.get('k')).toBe('v');
      await server.kill();
      const error: unknown = await store.get('k').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).extensions.code).toBe('SERVICE_UNAVAILABLE');
      await expect(store.ping()).rejects.toThrow();
    } finally {
      await store.close();
      await server.kill();
    }
  });
});

/**
 * A Redis that can be taken away: a throwaway redis-server when one is installed, otherwise a TCP proxy in
 * front of the shared Redis (never stop the shared one).
 */
async function disposableRedis(): Promise<{ url: string; kill(): Promise<void> }> {
  const port = await freePort();
  if (spawnSync('redis-server', ['--version']).status === 0) {
    const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitForPort(port, child);
    return {
      url: `redis://127.0.0.1:${port}`,
      kill: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      },
    };
  }
  const target = new URL(TEST_REDIS_URL);
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = new Socket().connect(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: async () => {
      for (const s of sockets) s.destroy();
      if (proxy.listening) await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`redis-server did not listen on ${port}`);
}
