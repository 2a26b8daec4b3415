import { createClient, type Client } from 'graphql-ws';
import { vi } from 'vitest';
import WebSocket from 'ws';

/** How a socket ended: its close code and reason. */
export interface Closed {
  code: number;
  reason: string;
  /** performance.now() when the client saw it. */
  at: number;
}

/** One subscription's results, as they arrive. */
export interface LiveStream<T> {
  events: T[];
  errors: unknown[];
  /** Resolves with the next event not yet taken by `next` (waits for it). */
  next(): Promise<T>;
  /** Resolves when the subscription completed or failed. */
  done: Promise<void>;
}

export interface LiveClient {
  client: Client;
  /** Resolves once connection_ack arrived; rejects if the socket closed first. */
  connected: Promise<void>;
  /** Resolves when the socket closed, with its code. */
  closed: Promise<Closed>;
  /** The open socket (for protocol messages the client has no method for, such as a ping with a payload). */
  socket(): WebSocket;
  subscribe<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): LiveStream<T>;
  dispose(): Promise<void>;
}

/**
 * A real graphql-ws client on a real `ws` socket to `baseUrl`/graphql, sending `connectionParams` in
 * connection_init. It never retries, so a close the server decides is seen as it is.
 */
export function liveClient(
  baseUrl: string,
  connectionParams: Record<string, unknown> | undefined,
): LiveClient {
  let socket: WebSocket | undefined;
  let resolveClosed!: (closed: Closed) => void;
  const closed = new Promise<Closed>((resolve) => (resolveClosed = resolve));
  let resolveConnected!: () => void;
  let rejectConnected!: (error: Error) => void;
  const connected = new Promise<void>((resolve, reject) => {
    resolveConnected = resolve;
    rejectConnected = reject;
  });
  connected.catch(() => {});
  const client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    shouldRetry: () => false,
    onNonLazyError: () => {},
    on: {
      opened: (opened) => (socket = opened as WebSocket),
      connected: () => resolveConnected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        const result = { code, reason: String(reason), at: performance.now() };
        rejectConnected(new Error(`closed before connection_ack: ${code} ${result.reason}`));
        resolveClosed(result);
      },
    },
  });
  return {
    client,
    connected,
    closed,
    socket() {
      if (socket === undefined) throw new Error('not open');
      return socket;
    },
    subscribe<T>(query: string, variables?: Record<string, unknown>): LiveStream<T> {
      const events: T[] = [];
      const errors: unknown[] = [];
      const waiting: ((value: T) => void)[] = [];
      let taken = 0;
      let finish!: () => void;
      const done = new Promise<void>((resolve) => (finish = resolve));
      client.subscribe<T>(
        { query, variables },
        {
          next: (result) => {
            if (result.errors !== undefined) errors.push(...result.errors);
            if (result.data == null) return;
            events.push(result.data as T);
            waiting.shift()?.(events[taken++]!);
          },
          error: (error) => {
            errors.push(error);
            finish();
          },
          complete: () => finish(),
        },
      );
      return {
        events,
        errors,
        done,
        next: () =>
          taken < events.length
            ? Promise.resolve(events[taken++]!)
            : new Promise<T>((resolve) => waiting.push(resolve)),
      };
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}

/** Waits until the API process at `baseUrl` runs at least `count` subscriptions (its /metrics says so). */
export async function subscriptionsRunning(baseUrl: string, count: number, timeout = 10_000): Promise<void> {
  await vi.waitFor(
    async () => {
      const text = await (await fetch(`${baseUrl}/metrics`)).text();
      const running = Number(/^live_subscriptions (\d+)/m.exec(text)?.[1] ?? 0);
      if (running < count) throw new Error(`${running} of ${count} subscriptions running`);
    },
    { timeout, interval: 25 },
  );
}

/** A raw graphql-transport-ws socket, for what a well-behaved client would never send. */
export function rawSocket(baseUrl: string): {
  socket: WebSocket;
  messages: Record<string, unknown>[];
  closed: Promise<Closed>;
  open: Promise<void>;
} {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  socket.on('error', () => {});
  const closed = new Promise<Closed>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason), at: performance.now() })),
  );
  const open = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, messages, closed, open };
}
