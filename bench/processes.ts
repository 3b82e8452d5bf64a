// The bench's processes (upstream, bare proxy, relays) and one measured load run against a target.
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { compileRelay } from './compile.js';
import { cpuMs, writeCalls } from './probes.js';

const children: ChildProcess[] = [];

/** Pids of the kept processes, by name. */
export const pids: Record<string, number | undefined> = {};

export function stopAll(): void {
  for (const c of children) c.kill('SIGTERM');
}

/** The relay runs as compiled JavaScript, as deployed (compile.ts); BENCH_TSX=1 runs it under the loader instead. */
export const relayJs = process.env.BENCH_TSX ? null : compileRelay();

export interface StartOptions {
  /** Kept processes are stopped by `stopAll` (default true). */
  keep?: boolean;
  /** The name its pid is recorded under (default: the script). */
  name?: string;
  /** A relay's Node flags (default: BENCH_RELAY_FLAGS). */
  flags?: string[];
  /** A relay's compiled JavaScript (default: this checkout's). */
  js?: string;
}

/** Starts a bench script (the relay as compiled JavaScript) and resolves with the words after its `READY` line. */
export async function start(script: string, args: string[], readyOn: 'stdout' | 'stderr', opts: StartOptions = {}): Promise<string[]> {
  const { keep = true, name = script, flags: relayFlags } = opts;
  const profile = process.env.BENCH_PROFILE && script.includes('relay') ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const js = script === './relay-server.ts' ? (opts.js ?? (await relayJs)) : null;
  const entry = js ? [js] : ['--import', 'tsx', new URL(script, import.meta.url).pathname];
  const flags = script.includes('relay') ? (relayFlags ?? process.env.BENCH_RELAY_FLAGS?.split(' ').filter(Boolean) ?? []) : [];
  const child = spawn(process.execPath, [...flags, ...profile, ...entry, ...args], {
    stdio: ['ignore', readyOn === 'stdout' ? 'pipe' : 'ignore', readyOn === 'stderr' ? 'pipe' : 'inherit'],
  });
  if (keep) {
    children.push(child);
    pids[name] = child.pid;
  }
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: (readyOn === 'stdout' ? child.stdout : child.stderr)! });
    rl.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(line.split(' ').slice(1));
      else if (readyOn === 'stderr') process.stderr.write(line + '\n');
    });
    child.on('exit', (code) => (keep || code !== 0 ? reject(new Error(`${script} exited with ${code}`)) : undefined));
  });
}

export interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU µs the target process spent per request (null when /proc is not there). */
  cpuUs: number | null;
  /** Write syscalls per request (the target process's). */
  writes: number | null;
  /** Requests completed. */
  total: number;
  /** Every 200 response's time (ms), ascending. */
  times: number[];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function measure(
  url: string,
  headers: Record<string, string>,
  body: string,
  connections: number,
  duration: number,
  pid?: number,
): Promise<Result> {
  const times: number[] = [];
  const cpu0 = cpuMs(pid);
  const w0 = writeCalls(pid);
  const instance = autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, connections, duration, pipelining: 1 });
  (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) times.push(ms);
  });
  const r = await instance;
  const cpu1 = cpuMs(pid);
  const w1 = writeCalls(pid);
  times.sort((a, b) => a - b);
  const cpuUs = cpu0 === null || cpu1 === null || r.requests.total === 0 ? null : ((cpu1 - cpu0) * 1000) / r.requests.total;
  const writes = w0 === null || w1 === null || r.requests.total === 0 ? null : (w1 - w0) / r.requests.total;
  return {
    rps: r.requests.average,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    errors: r.non2xx + r.errors + r.timeouts,
    cpuUs,
    writes,
    total: r.requests.total,
    times,
  };
}

/** Runs measured one after another against the same target, taken as one: percentiles of all their response times. */
export function pooled(runs: readonly Result[]): Result {
  const total = runs.reduce((n, r) => n + r.total, 0);
  const times = runs.flatMap((r) => r.times).sort((a, b) => a - b);
  const perRequest = (f: (r: Result) => number | null) =>
    runs.some((r) => f(r) === null) || total === 0 ? null : runs.reduce((sum, r) => sum + f(r)! * r.total, 0) / total;
  return {
    rps: runs.reduce((sum, r) => sum + r.rps, 0) / runs.length,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    cpuUs: perRequest((r) => r.cpuUs),
    writes: perRequest((r) => r.writes),
    total,
    times,
  };
}
