// npx tsx bench/instructions.ts [relay|bare]: user-space instructions per request, counted by valgrind's callgrind,
// which gives the same figure whatever else the machine is doing (CPU time per request moved by ±20 % between rounds
// here). The target runs under callgrind with instrumentation off; after IR_WARM requests (default 6000) it is
// switched on for IR_N requests (default 3000) at concurrency 16, IR_ROUNDS times (default 2). BENCH_MODES picks the
// load (json20, sse20 or chat; the bare proxy serves chat as the native Anthropic stream). IR_TOP=n prints the n
// functions with the most instructions (JavaScript named through --perf-basic-prof), self and inclusive.
// What it does not see: the kernel (socket writes cost the relay and the bare proxy alike), cache misses, and costs
// paid per period rather than per request: under callgrind the relay serves ~30× fewer requests per second, so a
// usage batch (every 50 ms) holds ~30× fewer rows and its SQLite transaction counts ~30× more per request, and the log
// line's time, formatted once per millisecond, is formatted for every line. Compare builds on the same mode, not the
// totals with `npm run bench`.
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chatRequestBody, requestBody } from './bodies.js';
import { relayJs, start, stopAll } from './processes.js';

const N = Number(process.env.IR_N ?? 3000);
const WARM = Number(process.env.IR_WARM ?? 6000);
const ROUNDS = Number(process.env.IR_ROUNDS ?? 2);
const TOP = Number(process.env.IR_TOP ?? 0);
const MODE = process.env.BENCH_MODES ?? 'json20';
/** The relay's store, as in run.ts: BENCH_ACCOUNTS accounts and BENCH_KEYS keys (default 1 and 1). */
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1);
const KEYS = Number(process.env.BENCH_KEYS ?? 1);
const target = process.argv[2] ?? 'relay';

/** Starts `args` under callgrind (instrumentation off) and resolves with its pid and the words after READY. */
function underCallgrind(args: string[], outDir: string): Promise<{ pid: number; words: string[] }> {
  const flags = ['--tool=callgrind', '--instr-atstart=no', '--dump-instr=no', `--callgrind-out-file=${outDir}/cg.%p`];
  const perf = TOP > 0 ? ['--perf-basic-prof'] : [];
  const child = spawn('valgrind', [...flags, process.execPath, ...perf, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`valgrind exited with ${code} (is valgrind installed?)`)));
    for (const s of [child.stdout, child.stderr]) {
      createInterface({ input: s }).on('line', (l) => l.startsWith('READY ') && resolve({ pid: child.pid!, words: l.split(' ').slice(1) }));
    }
  });
}

interface Profile {
  total: number;
  self: Map<string, number>;
  /** caller → callee → inclusive instructions of the calls. */
  calls: Map<string, Map<string, number>>;
}

/** Reads a callgrind dump: the total, each function's own instructions and its calls' (name compression resolved). */
function readDump(file: string): Profile {
  const names = new Map<string, string>();
  const name = (s: string) => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(s);
    if (!m) return s;
    if (m[2] !== undefined) names.set(m[1], m[2]);
    return names.get(m[1]) ?? s;
  };
  const p: Profile = { total: 0, self: new Map(), calls: new Map() };
  let fn = '';
  let callee = '';
  let inCall = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('fn=')) fn = name(line.slice(3));
    else if (line.startsWith('cfn=')) callee = name(line.slice(4));
    else if (line.startsWith('calls=')) inCall = true;
    else if (line.startsWith('summary:') || line.startsWith('totals:')) p.total = Number(line.split(/\s+/)[1]);
    else if (/^[0-9+*-]/.test(line)) {
      const v = Number(line.split(' ')[1]);
      if (Number.isNaN(v)) continue;
      if (inCall) {
        const m = p.calls.get(fn) ?? new Map<string, number>();
        m.set(callee, (m.get(callee) ?? 0) + v);
        p.calls.set(fn, m);
        inCall = false;
      } else p.self.set(fn, (p.self.get(fn) ?? 0) + v);
    }
  }
  return p;
}

/** Names JIT code addresses (callgrind calls them `0x…`) from the perf map node wrote. */
function jitNames(pid: number): (fn: string) => string {
  let entries: [number, number, string][] = [];
  try {
    entries = readFileSync(`/tmp/perf-${pid}.map`, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [a, s, ...rest] = l.split(' ');
        return [parseInt(a, 16), parseInt(s, 16), rest.join(' ')] as [number, number, string];
      })
      .sort((x, y) => x[0] - y[0]);
  } catch {
    // no map: addresses stay addresses
  }
  const root = new URL('..', import.meta.url).pathname;
  return (fn) => {
    const m = /^0x([0-9a-f]+)$/.exec(fn);
    if (!m) return fn.slice(0, 120);
    const a = parseInt(m[1], 16);
    let lo = 0;
    let hi = entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (entries[mid][0] <= a) lo = mid + 1;
      else hi = mid - 1;
    }
    const e = entries[hi];
    return e && a < e[0] + e[1]
      ? e[2].replaceAll(`file://${root}bench/.build/`, '').replaceAll(`file://${root}`, '').replaceAll(`${root}node_modules/`, '').slice(0, 120)
      : '(JIT code)';
  };
}

function printTop(p: Profile, n: number, label: (fn: string) => string): void {
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const [fn, v] of p.self) {
    add(self, label(fn), v);
    add(incl, label(fn), v);
  }
  for (const [fn, callees] of p.calls) for (const [c, v] of callees) if (c !== fn) add(incl, label(fn), v);
  const show = (title: string, m: Map<string, number>, only: (k: string) => boolean) => {
    console.log(title);
    const top = [...m].filter(([k]) => only(k)).sort((a, b) => b[1] - a[1]);
    for (const [k, v] of top.slice(0, TOP)) console.log(`${(v / n / 1000).toFixed(2).padStart(9)}k  ${k}`);
  };
  show('self, per request:', self, () => true);
  // Inclusive figures of the native frames that run everything (uv_run, JSEntry…) say nothing; JavaScript's do.
  show('inclusive, JavaScript functions, per request (recursion counts more than once):', incl, (k) => k.startsWith('JS:'));
}

async function main(): Promise<void> {
  const [upPort] = await start('./upstream.ts', [], 'stdout');
  const outDir = mkdtempSync(join(tmpdir(), 'crs-instructions-'));
  let key = 'none';
  let args: string[];
  if (target === 'relay') {
    const js = (await relayJs)!;
    const dir = mkdtempSync(join(tmpdir(), 'crs-bench-'));
    [key] = await start('./relay-server.ts', ['seed', dir, upPort, String(ACCOUNTS), String(KEYS)], 'stderr', { keep: false, js });
    args = [js, 'serve', dir];
  } else if (target === 'bare') {
    args = ['--import', 'tsx', new URL('./bare-proxy.ts', import.meta.url).pathname, upPort];
  } else throw new Error('usage: npx tsx bench/instructions.ts [relay|bare]');
  const { pid, words } = await underCallgrind(args, outDir);
  const anthropic = { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
  const [path, headers, body] =
    MODE === 'chat' && target === 'relay'
      ? ['/openai/v1/chat/completions', { authorization: `Bearer ${key}` }, chatRequestBody()]
      : [target === 'relay' ? '/api/v1/messages' : '/v1/messages', anthropic, requestBody(MODE !== 'json20')];
  const load = async (amount: number) => {
    const r = await autocannon({
      url: `http://127.0.0.1:${words[0]}${path}`,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      connections: 16,
      amount,
      timeout: 60,
    });
    if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx answers, ${r.errors} errors`);
    return r.requests.total;
  };
  const control = (...a: string[]) => execFileSync('callgrind_control', [...a, String(pid)], { stdio: 'ignore' });
  await load(WARM);
  const perRequest: string[] = [];
  let last: Profile | null = null;
  let lastN = 0;
  for (let i = 0; i < ROUNDS; i++) {
    control('-i', 'on');
    control('-z');
    lastN = await load(N);
    control('-d');
    control('-i', 'off');
    const dumps = readdirSync(outDir)
      .filter((f) => f.startsWith(`cg.${pid}.`))
      .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
    last = readDump(join(outDir, dumps[dumps.length - 1]));
    perRequest.push(`${(last.total / lastN / 1000).toFixed(1)}k`);
  }
  const store = target === 'relay' ? `, ${ACCOUNTS} account(s) and ${KEYS} key(s) in the store` : '';
  console.log(`${target} ${MODE}${store}: instructions per request, ${ROUNDS} rounds of ${N}: ${perRequest.join(' ')}`);
  if (TOP > 0 && last) printTop(last, lastN, jitNames(pid));
  process.kill(pid, 'SIGKILL');
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(stopAll);
