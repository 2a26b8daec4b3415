import { Socket } from 'node:net';

/** Where the tests find their servers; both default to the local ones. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when something accepts TCP connections at the URL's host and port. */
export function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000);
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port || defaultPort), hostname.replace(/^\[|\]$/g, ''));
  });
}

export interface TestServers {
  /** False: no PostgreSQL answered, the run uses the embedded one. */
  realDatabase: boolean;
  /** False: no Redis answered, the run uses the in-process store. */
  realRedis: boolean;
}

/** Probes the servers once. In CI both must be real: a missing server fails the run instead of hiding. */
export async function probeTestServers(): Promise<TestServers> {
  const [realDatabase, realRedis] = await Promise.all([
    reachable(TEST_DATABASE_URL, 5432),
    reachable(TEST_REDIS_URL, 6379),
  ]);
  if (process.env.CI === 'true' && !(realDatabase && realRedis)) {
    throw new Error(
      `CI needs real servers: PostgreSQL at ${TEST_DATABASE_URL} ${realDatabase ? 'ok' : 'UNREACHABLE'}, ` +
        `Redis at ${TEST_REDIS_URL} ${realRedis ? 'ok' : 'UNREACHABLE'}`,
    );
  }
  return { realDatabase, realRedis };
}
