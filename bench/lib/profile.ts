import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` and the inspector's Profiler.stop write). */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

type Frame = CpuProfile['nodes'][number]['callFrame'];

export interface SelfTime {
  name: string;
  /** file:line, empty for native code (V8 builtins, C++ bindings, GC). */
  where: string;
  /** For native code: the JavaScript function that called it most often. */
  via?: string;
  ms: number;
  /** Share of the non-idle time. */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idlePercent: number;
  top: SelfTime[];
  /** Self time grouped by where the code lives: an npm package, the app (src/), node internals, V8. */
  byPackage: { name: string; percent: number }[];
}

const ROOT = path.resolve(import.meta.dirname, '../..');

function shortUrl(url: string): string {
  const file = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  return file.startsWith(ROOT) ? path.relative(ROOT, file) : file;
}

const location = (frame: Frame) => `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;

function packageOf(frame: Frame): string {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const file = shortUrl(frame.url);
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (match !== null) return match[1]!;
  if (file.startsWith('node:')) return 'node: internals';
  if (file.startsWith('src/')) return 'app src/';
  return file;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Self time per function, heaviest first: where the CPU went, not who called it. */
export async function summarizeProfile(file: string, topN = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  /** The nearest caller written in JavaScript, for native frames. */
  const jsCaller = (id: number): string | undefined => {
    for (let at = parents.get(id); at !== undefined; at = parents.get(at)) {
      const frame = frames.get(at)!;
      if (frame.url !== '') return `${frame.functionName || '(anonymous)'} ${location(frame)}`;
    }
    return undefined;
  };

  // Every sample weighs the mean interval: one long gap between two samples (the profiler starting or
  // stopping, the sampler starved on a busy machine) would otherwise be charged whole to one frame.
  const sampledMs = profile.timeDeltas.reduce((sum, d) => sum + d, 0) / 1000;
  const perSample = sampledMs / Math.max(profile.samples.length, 1);
  const byFunction = new Map<
    string,
    { name: string; where: string; samples: number; callers: Map<string, number> }
  >();
  const byPackage = new Map<string, number>();
  let idle = 0;
  for (const id of profile.samples) {
    const frame = frames.get(id)!;
    if (frame.functionName === '(idle)') {
      idle++;
      continue;
    }
    const where = frame.url === '' ? '' : location(frame);
    const name = frame.functionName || '(anonymous)';
    const key = `${name} ${where}`;
    const entry = byFunction.get(key) ?? { name, where, samples: 0, callers: new Map<string, number>() };
    entry.samples++;
    if (where === '') {
      const caller = jsCaller(id);
      if (caller !== undefined) entry.callers.set(caller, (entry.callers.get(caller) ?? 0) + 1);
    }
    byFunction.set(key, entry);
    const pkg = packageOf(frame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + 1);
  }
  const busy = Math.max(profile.samples.length - idle, 1);
  const top = [...byFunction.values()]
    .sort((a, b) => b.samples - a.samples)
    .slice(0, topN)
    .map((e) => {
      const via = [...e.callers.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      return {
        name: e.name,
        where: e.where,
        ...(via !== undefined && { via }),
        ms: Math.round(e.samples * perSample),
        percent: round1((e.samples / busy) * 100),
      };
    });
  return {
    file: shortUrl(file),
    totalMs: Math.round(sampledMs),
    idlePercent: round1((idle / Math.max(profile.samples.length, 1)) * 100),
    top,
    byPackage: [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, samples]) => ({ name, percent: round1((samples / busy) * 100) })),
  };
}

export function formatProfile(label: string, summary: ProfileSummary): string {
  return [
    `CPU profile ${label}: ${summary.file} (${(summary.totalMs / 1000).toFixed(1)} s sampled, ${summary.idlePercent}% idle)`,
    '  top self time (share of busy time):',
    ...summary.top.map((e, i) => {
      const where = e.where !== '' ? `  ${e.where}` : e.via !== undefined ? `  (native, via ${e.via})` : '';
      return `  ${String(i + 1).padStart(2)}. ${e.percent.toFixed(1).padStart(5)}%  ${e.name}${where}`;
    }),
    `  by package: ${summary.byPackage.map((p) => `${p.name} ${p.percent}%`).join(', ')}`,
  ].join('\n');
}

/** `tsx bench/lib/profile.ts <file.cpuprofile>...` prints the summary of saved profiles. */
if (process.argv[1] !== undefined && import.meta.filename === path.resolve(process.argv[1])) {
  for (const file of process.argv.slice(2)) console.log(formatProfile(file, await summarizeProfile(file)));
}
