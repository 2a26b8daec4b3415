import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/shared/net.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A child process of the test: the API (`node --import tsx src/main.ts`) or a server like redis-server. */
export interface ChildServer {
  child: ChildProcess;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface ApiProcess extends ChildServer {
  /** http://127.0.0.1:<port> */
  url: string;
}

function track(child: ChildProcess, port: number): ChildServer {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    port,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(graceMs = 15_000) {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (running()) child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Starts the API as its own process with only the given environment (plus PATH and HOME), on a free port. */
export async function spawnApi(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // Files the API writes (mail without SMTP_URL) go to a folder of its own, not the repository's .data.
      DATA_DIR: path.join(tmpdir(), `ff-api-${port}-${Date.now()}`),
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { ...track(child, port), url: `http://127.0.0.1:${port}` };
}

/** Starts `npm run worker` (src/worker.ts) as its own process, serving /health and /metrics on a free port. */
export async function spawnWorker(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...env,
      WORKER_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { ...track(child, port), url: `http://127.0.0.1:${port}` };
}

/** Waits until GET `path` answers 200; fails early, with the output, when the process exits. */
export async function waitForHttp(server: ApiProcess, path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`server exited with ${server.child.exitCode}: ${server.stderr()}${server.stdout()}`);
    }
    try {
      const response = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(5000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  throw new Error(`no 200 from ${path} within ${timeoutMs} ms: ${server.stderr()}${server.stdout()}`);
}

/**
 * A redis-server of the test's own (no persistence) on `port`; resolves once it accepts commands, so the
 * test can stop and restart "Redis" without touching the shared one.
 */
export async function startRedisServer(port: number, timeoutMs = 20_000): Promise<ChildServer> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const server = track(child, port);
  const deadline = Date.now() + timeoutMs;
  while (!server.stdout().includes('Ready to accept connections')) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await server.stop(1000);
      throw new Error(`redis-server did not start on ${port}: ${server.stdout()}${server.stderr()}`);
    }
    await sleep(50);
  }
  return server;
}

/** Resolves with the exit, or rejects after `ms`. */
export async function exitWithin(server: ChildServer, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the process did not exit within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([server.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
