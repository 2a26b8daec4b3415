import { fork, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';

/**
 * The servers under test run in child processes, so autocannon (in the parent) and the server never share
 * an event loop. Parent and child talk over the IPC channel: the child announces `ready` with its URLs,
 * then answers requests by id.
 */

export interface ChildRequest {
  id: number;
  type: 'profile-start' | 'profile-stop' | 'gc' | 'stop';
  file?: string;
}

export interface ChildReply {
  id: number;
  error?: string;
}

export interface ReadyMessage {
  type: 'ready';
  urls: Record<string, string>;
}

export interface BenchChild {
  urls: Record<string, string>;
  /** Starts the V8 CPU profiler in the child (the profiler `node --cpu-prof` uses). */
  profileStart(): Promise<void>;
  /** Stops it and writes the .cpuprofile (Chrome DevTools / speedscope format) to `file`. */
  profileStop(file: string): Promise<void>;
  /** A full garbage collection in the child, so memory read next is what is still held. */
  gc(): Promise<void>;
  stop(): Promise<void>;
}

/** Forks `bench/servers/<name>.ts` under tsx with `env` added, and waits until it is ready. */
export async function startChild(name: string, env: Record<string, string>): Promise<BenchChild> {
  const script = fileURLToPath(new URL(`../servers/${name}.ts`, import.meta.url));
  const child: ChildProcess = fork(script, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const urls = await new Promise<Record<string, string>>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`bench child ${name} exited (${code}) before ready`));
    child.once('exit', onExit);
    child.on('message', (message: ReadyMessage | ChildReply) => {
      if ('type' in message && message.type === 'ready') {
        child.off('exit', onExit);
        resolve(message.urls);
        return;
      }
      const reply = message as ChildReply;
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
      else waiter?.resolve();
    });
  });
  const ask = (type: ChildRequest['type'], file?: string) =>
    new Promise<void>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, type, file } satisfies ChildRequest);
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    urls,
    profileStart: () => ask('profile-start'),
    profileStop: (file) => ask('profile-stop', file),
    gc: () => ask('gc'),
    async stop() {
      if (child.exitCode !== null) return;
      await ask('stop').catch(() => undefined);
      await exited;
    },
  };
}

/** The child's side: announces its URLs, then serves profile, gc and stop requests until stopped. */
export function serveParent(urls: Record<string, string>, stop: () => Promise<void>): void {
  let session: Session | undefined;
  process.on('message', async (request: ChildRequest) => {
    const reply: ChildReply = { id: request.id };
    try {
      if (request.type === 'profile-start') {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 200 });
        await session.post('Profiler.start');
      } else if (request.type === 'gc') {
        const inspector = new Session();
        inspector.connect();
        await inspector.post('HeapProfiler.collectGarbage');
        inspector.disconnect();
      } else if (request.type === 'profile-stop') {
        if (session === undefined) throw new Error('profiler not started');
        const { profile } = await session.post('Profiler.stop');
        session.disconnect();
        session = undefined;
        await writeFile(request.file!, JSON.stringify(profile));
      } else {
        await stop();
        process.send!(reply, () => process.exit(0));
        return;
      }
    } catch (error) {
      reply.error = error instanceof Error ? error.message : String(error);
    }
    process.send!(reply);
  });
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
  process.send!({ type: 'ready', urls } satisfies ReadyMessage);
}
