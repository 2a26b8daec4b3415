import autocannon from 'autocannon';

/** One HTTP request shape to drive, optionally rebuilt per request (new body, new headers). */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Called for every request with a counter unique within the process; returns the changes. */
  perRequest?: (n: number) => { headers?: Record<string, string>; body?: string };
}

export interface Target {
  /** Short label, e.g. "app" or "raw". */
  label: string;
  url: string;
  request: RequestSpec;
}

export interface RunStats {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Connection errors, timeouts, non-2xx answers and 2xx answers carrying GraphQL `errors`. */
  failures: number;
}

export interface SideSummary {
  label: string;
  rounds: RunStats[];
  rps: number;
  p50: number;
  p99: number;
  failures: number;
}

export interface LoadSettings {
  connections: number;
  /** Seconds per measured round. */
  duration: number;
  /** Seconds of unrecorded warm-up per side before the first round. */
  warmup: number;
  rounds: number;
}

let requestCounter = 0;

/** A pause between runs, so the requests still in flight when a run ends do not eat into the next. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

/** Drives one target for `duration` seconds with autocannon and returns its throughput and latency. */
export async function drive(target: Target, connections: number, duration: number): Promise<RunStats> {
  const { request } = target;
  const perRequest = request.perRequest;
  const result = await autocannon({
    url: target.url,
    connections,
    duration,
    requests: [
      {
        method: request.method,
        path: request.path,
        headers: { 'content-type': 'application/json', ...request.headers },
        ...(request.body !== undefined && { body: request.body }),
        ...(perRequest !== undefined && {
          setupRequest: (req: autocannon.Request) => {
            const change = perRequest(++requestCounter);
            return {
              ...req,
              headers: { ...req.headers, ...change.headers },
              ...(change.body !== undefined && { body: change.body }),
            };
          },
        }),
      },
    ],
    // A GraphQL failure is an HTTP 200 with `errors`: count those as failures too.
    verifyBody: (body) => !String(body ?? '').includes('"errors"'),
  });
  return {
    rps: result.requests.total / Math.max(result.duration, 1e-9),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches,
  };
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function summarize(label: string, rounds: RunStats[]): SideSummary {
  return {
    label,
    rounds,
    rps: median(rounds.map((r) => r.rps)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    failures: rounds.reduce((n, r) => n + r.failures, 0),
  };
}

/**
 * Warms every target up, then measures them in alternating rounds (A, B, C, A, B, C, ...), so slow drift
 * of a noisy machine hits every side alike, and returns the median of each side's rounds.
 */
export async function alternate(
  targets: Target[],
  settings: LoadSettings,
  log: (line: string) => void,
): Promise<SideSummary[]> {
  for (const target of targets) {
    if (settings.warmup > 0) await drive(target, settings.connections, settings.warmup);
  }
  const rounds = new Map<string, RunStats[]>(targets.map((t) => [t.label, []]));
  for (let round = 1; round <= settings.rounds; round++) {
    const line: string[] = [];
    for (const target of targets) {
      await settle();
      const stats = await drive(target, settings.connections, settings.duration);
      rounds.get(target.label)!.push(stats);
      line.push(`${target.label} ${stats.rps.toFixed(0)} req/s p99 ${stats.p99} ms`);
    }
    log(`    round ${round}/${settings.rounds}: ${line.join(' | ')}`);
  }
  return targets.map((t) => summarize(t.label, rounds.get(t.label)!));
}
