// What the bench reads about a process (Linux /proc) and about Redis, beside the load it generates.
import { readFileSync } from 'node:fs';

/** CPU time (ms) a process has used so far (Linux /proc; null elsewhere). Stabler than req/s on a busy box. */
export function cpuMs(pid: number | undefined): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in 10 ms ticks
  } catch {
    return null;
  }
}

/** Write syscalls a process has made so far (Linux /proc; null elsewhere): a load-independent cost per request. */
export function writeCalls(pid: number | undefined): number | null {
  try {
    return Number(/syscw:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
  } catch {
    return null;
  }
}

/** Resident memory of a process in MB (Linux /proc; NaN elsewhere). */
export function rssMb(pid: number | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  } catch {
    return NaN;
  }
}

/** Calls per command Redis has processed (INFO commandstats), when the relay runs on BENCH_REDIS_URL. */
export async function redisCommandCalls(): Promise<Map<string, number> | null> {
  const url = process.env.BENCH_REDIS_URL;
  if (!url) return null;
  const { Redis } = await import('ioredis');
  const r = new Redis(url, { lazyConnect: true });
  await r.connect();
  const info = await r.info('commandstats');
  await r.quit();
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) if (m[1] !== 'info') calls.set(m[1], Number(m[2]));
  return calls;
}
