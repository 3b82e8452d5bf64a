// Two relays on the same upstream, measured at c=64 in alternated rounds (the first relay first, then the second
// first, …): they share the machine's drift over minutes, which two separate bench runs do not. Used by scale.ts
// (a small store against a large one), flags.ts (the same store under two sets of Node flags) and commits.ts (the
// relay at another commit against this checkout's).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatRequestBody, requestBody } from './bodies.js';
import { measure, median, pids, start, type Result } from './processes.js';

export interface Relay {
  name: string;
  /** http://127.0.0.1:port */
  base: string;
  key: string;
  pid: number | undefined;
}

/** A relay on a freshly seeded store of `accounts` accounts and `keys` keys, run with the given Node flags or build. */
export async function relay(name: string, upPort: string, accounts: number, keys: number, opts: { flags?: string[]; js?: string } = {}): Promise<Relay> {
  const dir = mkdtempSync(join(tmpdir(), 'crs-bench-'));
  const [key] = await start('./relay-server.ts', ['seed', dir, upPort, String(accounts), String(keys)], 'stderr', { keep: false, js: opts.js });
  const [port] = await start('./relay-server.ts', ['serve', dir], 'stderr', { name, ...opts });
  return { name, base: `http://127.0.0.1:${port}`, key, pid: pids[name] };
}

interface Mode {
  path: string;
  headers: (key: string) => Record<string, string>;
  body: string;
}

const anthropic = (key: string) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' });
/** The Claude Code-shaped 20 KB requests, natively and as an OpenAI chat request converted by the relay. */
const MODES: Record<string, Mode> = {
  json20: { path: '/api/v1/messages', headers: anthropic, body: requestBody(false) },
  sse20: { path: '/api/v1/messages', headers: anthropic, body: requestBody(true) },
  chat: { path: '/openai/v1/chat/completions', headers: (key) => ({ authorization: `Bearer ${key}` }), body: chatRequestBody() },
};

/** A ratio's median and range as a signed percentage change. */
function change(xs: number[]): string {
  const pct = (x: number) => `${((x - 1) * 100).toFixed(1)}%`;
  return `${pct(median(xs))} (${pct(Math.min(...xs))} to ${pct(Math.max(...xs))})`;
}

/**
 * Runs each of `modes` (json20, sse20, chat) in `rounds` alternated rounds of `durationS` seconds and prints b against
 * a per mode. Returns, per mode, the median change of b's throughput against a's (0.03: 3 % more req/s).
 */
export async function alternate(a: Relay, b: Relay, rounds: number, durationS: number, modes = ['json20', 'sse20']): Promise<Record<string, number>> {
  const line = (mode: string, r: Relay, res: Result) =>
    console.log(`${mode.padEnd(6)} ${r.name.padEnd(28)} ${res.rps.toFixed(0).padStart(7)} req/s  cpu ${res.cpuUs?.toFixed(0).padStart(4) ?? '-'} µs/req`);
  const out: Record<string, number> = {};
  for (const mode of modes) {
    const m = MODES[mode];
    if (m === undefined) throw new Error(`unknown mode ${mode}: ${Object.keys(MODES).join(', ')}`);
    const run = (r: Relay, s: number) => measure(r.base + m.path, m.headers(r.key), m.body, 64, s, r.pid);
    for (const r of [a, b]) await run(r, 1); // warm-up: connections, JIT
    const pairs: [Result, Result][] = [];
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? [a, b] : [b, a];
      const got = new Map<Relay, Result>();
      for (const r of order) {
        const res = await run(r, durationS);
        got.set(r, res);
        line(mode, r, res);
      }
      pairs.push([got.get(a)!, got.get(b)!]);
    }
    const rps = pairs.map(([x, y]) => y.rps / x.rps);
    const cpu = pairs.every(([x, y]) => x.cpuUs !== null && y.cpuUs !== null) ? pairs.map(([x, y]) => y.cpuUs! / x.cpuUs!) : null;
    console.log(`${mode.padEnd(6)} ${b.name} vs ${a.name}: throughput ${change(rps)}${cpu ? `, CPU per request ${change(cpu)}` : ''}`);
    out[mode] = median(rps) - 1;
  }
  return out;
}
