// npm run bench: the relay's overhead against the same upstream, in one run.
// Targets: (a) the upstream directly, (b) a bare keep-alive pass-through proxy, (c) the relay (real key, account,
// usage recording). Modes: JSON and SSE streaming. Concurrency 1 and 64. Latency percentiles come from every
// response time autocannon reports (sub-millisecond), not its millisecond histogram. The `cpu` column is the
// target process's own CPU time per request (for "direct", the upstream's): the figure to optimise against, since
// req/s on a 2-core box also depends on how the cores are shared with autocannon and the upstream.
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileRelay } from './compile.js';
import { cpuMs, redisCommandCalls, rssMb, writeCalls } from './probes.js';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1);
/** Extra relay keys in the store (P9: 10,000 keys must not slow the relay). */
const KEYS = Number(process.env.BENCH_KEYS ?? 1);
/** Request body sizes (KB) of the Claude Code-shaped modes. */
const BODY_KB = (process.env.BENCH_BODY_KB ?? '20,60').split(',').map(Number);
/** 'soak': steady streaming load for BENCH_SOAK_MIN minutes, RSS every 30 s. */
const SOAK = process.argv.includes('soak');
const SOAK_MIN = Number(process.env.BENCH_SOAK_MIN ?? 10);
/** KB of prompt in each of the 1000 held streams (0: a one-word prompt; 20: a Claude Code-sized request). */
const HOLD_KB = Number(process.env.BENCH_HOLD_KB ?? 0);
const children: ChildProcess[] = [];

const pids: Record<string, number | undefined> = {};

/** The relay runs as compiled JavaScript, as deployed (compile.ts); BENCH_TSX=1 runs it under the loader instead. */
const relayJs = process.env.BENCH_TSX ? null : compileRelay();

async function start(script: string, args: string[], readyOn: 'stdout' | 'stderr', keep = true): Promise<string[]> {
  const profile = process.env.BENCH_PROFILE && script.includes('relay') ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const js = script === './relay-server.ts' ? await relayJs : null;
  const entry = js ? [js] : ['--import', 'tsx', new URL(script, import.meta.url).pathname];
  const flags = script.includes('relay') ? (process.env.BENCH_RELAY_FLAGS?.split(' ').filter(Boolean) ?? []) : [];
  const child = spawn(process.execPath, [...flags, ...profile, ...entry, ...args], {
    stdio: ['ignore', readyOn === 'stdout' ? 'pipe' : 'ignore', readyOn === 'stderr' ? 'pipe' : 'inherit'],
  });
  if (keep) {
    children.push(child);
    pids[script] = child.pid;
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

/** A body shaped like Claude Code's (long system prompt, tools, a few turns), padded to about `kb` KB. */
function requestBody(stream: boolean, kb = 20): string {
  const base = baseBody(stream);
  const pad = Math.max(0, kb * 1024 - base.length);
  if (pad === 0) return base;
  const j = JSON.parse(base) as { messages: { role: string; content: unknown }[] };
  j.messages.splice(1, 0, { role: 'assistant', content: 'Earlier output: ' + 'x'.repeat(pad) }, { role: 'user', content: 'continue' });
  return JSON.stringify(j);
}

function baseBody(stream: boolean): string {
  const para = 'You are an interactive agent that helps users with software engineering tasks. Use the tools available to you. ';
  const tools = Array.from({ length: 20 }, (_, i) => ({
    name: `Tool${i}`,
    description: `Tool number ${i}. ` + para.repeat(3),
    input_schema: { type: 'object', properties: { path: { type: 'string', description: 'file path' }, limit: { type: 'integer' } }, required: ['path'] },
  }));
  return JSON.stringify({
    model: 'claude-sonnet-5',
    max_tokens: 32000,
    stream,
    system: [{ type: 'text', text: para.repeat(80), cache_control: { type: 'ephemeral' } }],
    tools,
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Please refactor the module. ' + para.repeat(5) }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Looking at it now.' }] },
      { role: 'user', content: 'Go ahead.' },
    ],
    metadata: { user_id: JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: '', session_id: '6f1c2a6e-1d1b-4a4e-9b1e-3c2d1e0f9a8b' }) },
  });
}

/** A Codex-sized Responses request (~30 KB of instructions and tools, CLIENTS 2.1). */
function responsesRequestBody(): string {
  const para = 'You are Codex, a coding agent. Follow the repository conventions and run the tests. ';
  const tools = Array.from({ length: 10 }, (_, i) => ({
    type: 'function',
    name: `tool_${i}`,
    description: para.repeat(3),
    strict: false,
    parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'] },
  }));
  return JSON.stringify({
    model: 'gpt-5.5',
    stream: true,
    store: false,
    input: [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: para.repeat(300) }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix the failing test' }] },
    ],
    tools,
    tool_choice: 'auto',
    parallel_tool_calls: true,
    reasoning: { effort: 'medium' },
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: '0b7e5c1e-5b8e-4bde-9d43-0f4b8d1c2a3e',
  });
}

/** The Claude Code-sized request as an OpenAI Chat Completions stream for a Claude model (converted by the relay). */
function chatRequestBody(): string {
  const a = JSON.parse(requestBody(true)) as { system: { text: string }[]; tools: { name: string; description: string; input_schema: unknown }[] };
  return JSON.stringify({
    model: 'claude-sonnet-5',
    stream: true,
    stream_options: { include_usage: true },
    max_completion_tokens: 32000,
    messages: [
      { role: 'system', content: a.system[0].text },
      { role: 'user', content: 'Please refactor the module.' },
      { role: 'assistant', content: 'Looking at it now.' },
      { role: 'user', content: 'Go ahead.' },
    ],
    tools: a.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.input_schema } })),
  });
}

interface Result {
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
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(url: string, headers: Record<string, string>, body: string, connections: number, duration: number, pid?: number): Promise<Result> {
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
  };
}

/** Opens 1000 streams the upstream holds open, reads the relay's resident memory, then lets them finish. */
async function rssWithOpenStreams(port: string, key: string, pid: number | undefined): Promise<string> {
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connections: 1100 });
  const body = JSON.stringify({
    model: 'claude-sonnet-5',
    max_tokens: 16,
    stream: true,
    metadata: { user_id: 'hold' },
    messages: [{ role: 'user', content: 'hold ' + 'x'.repeat(HOLD_KB * 1024) }],
  });
  const rss = () => rssMb(pid);
  const before = rss();
  const streams = Array.from({ length: 1000 }, () =>
    request(`http://127.0.0.1:${port}/api/v1/messages`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body,
    }),
  );
  const responses = await Promise.all(streams);
  await new Promise((r) => setTimeout(r, 1500));
  const during = rss();
  await Promise.all(responses.map((r) => r.body.text()));
  await agent.close();
  const ok = responses.filter((r) => r.statusCode === 200).length;
  const size = HOLD_KB ? `, ${HOLD_KB} KB prompts` : '';
  return `${during.toFixed(0)} MB (${before.toFixed(0)} MB before; ${ok}/1000 streams answered 200${size}; budget < 150 MB)`;
}

async function main() {
  const [upPort] = await start('./upstream.ts', [], 'stdout');
  const [proxyPort] = await start('./bare-proxy.ts', [upPort], 'stdout');
  const dataDir = mkdtempSync(join(tmpdir(), 'crs-bench-'));
  const [key] = await start('./relay-server.ts', ['seed', dataDir, upPort, String(ACCOUNTS), String(KEYS)], 'stderr', false);
  const spawnedAt = performance.now();
  const [relayPort, startupMs] = await start('./relay-server.ts', ['serve', dataDir], 'stderr');
  const listening = performance.now() - spawnedAt;
  const firstAnswer = await firstAnsweredMs(`http://127.0.0.1:${relayPort}/api/v1/messages`, key, requestBody(false));
  console.log(
    `relay start-up with ${KEYS} key(s) and ${ACCOUNTS + 1} account(s): listening ${startupMs} ms after its code started (${listening.toFixed(0)} ms after spawn${relayJs ? '' : ', incl. the TypeScript loader'}); ` +
      `first answered request ${firstAnswer.toFixed(0)} ms later (budget: 500 ms to the first answer); RSS then ${rssMb(pids['./relay-server.ts']).toFixed(0)} MB (budget: 120 MB idle)`,
  );
  if (SOAK) return soak(`http://127.0.0.1:${relayPort}/api/v1/messages`, key, pids['./relay-server.ts']);
  const anthropic = { 'x-api-key': 'sk-ant-api03-bench', 'anthropic-version': '2023-06-01' };
  const openai = { authorization: 'Bearer sk-bench-openai-account' };
  const relayKey = { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
  const relayBearer = { authorization: `Bearer ${key}` };
  const up = `http://127.0.0.1:${upPort}`;
  const bare = `http://127.0.0.1:${proxyPort}`;
  const relayUrl = `http://127.0.0.1:${relayPort}`;
  /** Each mode: what the client sends to each target. "chat" is converted by the relay; its baseline is the Anthropic stream. */
  type Target = readonly [string, Record<string, string>];
  type Mode = { mode: string; body: string; baselineBody?: string; direct: Target; bare: Target; relay: Target };
  const modes: Mode[] = [
    ...BODY_KB.flatMap((kb): Mode[] => [
      {
        mode: `json${kb}`,
        body: requestBody(false, kb),
        direct: [`${up}/v1/messages`, anthropic] as Target,
        bare: [`${bare}/v1/messages`, anthropic] as Target,
        relay: [`${relayUrl}/api/v1/messages`, relayKey] as Target,
      },
      {
        mode: `sse${kb}`,
        body: requestBody(true, kb),
        direct: [`${up}/v1/messages`, anthropic] as Target,
        bare: [`${bare}/v1/messages`, anthropic] as Target,
        relay: [`${relayUrl}/api/v1/messages`, relayKey] as Target,
      },
    ]),
    {
      mode: 'codex',
      body: responsesRequestBody(),
      direct: [`${up}/v1/responses`, openai] as Target,
      bare: [`${bare}/v1/responses`, openai] as Target,
      relay: [`${relayUrl}/openai/v1/responses`, relayBearer] as Target,
    },
    {
      mode: 'chat',
      body: chatRequestBody(),
      baselineBody: requestBody(true),
      direct: [`${up}/v1/messages`, anthropic] as Target,
      bare: [`${bare}/v1/messages`, anthropic] as Target,
      relay: [`${relayUrl}/openai/v1/chat/completions`, relayBearer] as Target,
    },
  ];
  const only = process.env.BENCH_MODES?.split(',');
  console.log(
    `bench: ${DURATION_S}s per run, bodies ${BODY_KB.join('/')} KB (codex ${Math.round(responsesRequestBody().length / 1024)} KB, chat ${Math.round(chatRequestBody().length / 1024)} KB), ${ACCOUNTS} account(s) in the pool, ${KEYS} key(s), store ${process.env.BENCH_REDIS_URL ? 'redis' : 'sqlite'}, node ${process.version}`,
  );
  const redisBefore = await redisCommandCalls();
  // Memory first, on a relay that has not been through the load runs yet.
  console.log(`relay RSS with 1000 open streams: ${await rssWithOpenStreams(relayPort, key, pids['./relay-server.ts'])}`);
  const results: Record<string, Result> = {};
  const targetPids: Record<string, number | undefined> = {
    direct: pids['./upstream.ts'],
    'bare proxy': pids['./bare-proxy.ts'],
    relay: pids['./relay-server.ts'],
  };
  for (const m of modes) {
    if (only && !only.includes(m.mode)) continue;
    for (const c of [1, 64]) {
      for (const [name, [url, headers]] of [
        ['direct', m.direct],
        ['bare proxy', m.bare],
        ['relay', m.relay],
      ] as const) {
        const body = name === 'relay' || m.baselineBody === undefined ? m.body : m.baselineBody;
        const w = await measure(url, headers, body, c, 1); // warm-up: connections, JIT
        const r = await measure(url, headers, body, c, DURATION_S, targetPids[name]);
        if (name === 'relay') relayRequestCount += w.total + r.total;
        results[`${name}|${m.mode}|${c}`] = r;
        console.log(
          `${m.mode.padEnd(6)} c=${String(c).padEnd(3)} ${name.padEnd(10)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(3).padStart(8)} ms  p99 ${r.p99.toFixed(3).padStart(8)} ms  cpu ${r.cpuUs === null ? '-' : r.cpuUs.toFixed(0).padStart(4)} µs/req  writes ${r.writes === null ? '-' : r.writes.toFixed(1)}/req${r.errors ? `  errors ${r.errors}` : ''}`,
        );
      }
    }
  }
  console.log('\nbudget (DESIGN.md): added latency vs direct <= 1 ms p50, <= 5 ms p99 at c=1; throughput at c=64 >= 70% of the bare proxy');
  console.log(
    '(chat: the relay converts an OpenAI chat stream to and from Anthropic; direct and bare proxy serve the same request as a native Anthropic stream)',
  );
  let ok = true;
  for (const { mode } of modes) {
    if (only && !only.includes(mode)) continue;
    const d = results[`direct|${mode}|1`];
    const r1 = results[`relay|${mode}|1`];
    const b64 = results[`bare proxy|${mode}|64`];
    const r64 = results[`relay|${mode}|64`];
    const addP50 = r1.p50 - d.p50;
    const addP99 = r1.p99 - d.p99;
    const ratio = r64.rps / b64.rps;
    const pass = addP50 <= 1 && addP99 <= 5 && ratio >= 0.7;
    ok &&= pass;
    const cpu = r64.cpuUs !== null && b64.cpuUs !== null ? `, cpu relay/bare ${(r64.cpuUs / b64.cpuUs).toFixed(2)}x` : '';
    console.log(
      `${mode.padEnd(6)} added p50 ${addP50.toFixed(3)} ms, added p99 ${addP99.toFixed(3)} ms, c=64 relay/bare ${(ratio * 100).toFixed(1)}%${cpu} ` +
        `(relay/direct ${((r64.rps / results[`direct|${mode}|64`].rps) * 100).toFixed(1)}%, bare/direct ${((b64.rps / results[`direct|${mode}|64`].rps) * 100).toFixed(1)}%) ${pass ? 'PASS' : 'MISS'}`,
    );
  }
  const redisAfter = await redisCommandCalls();
  if (redisBefore !== null && redisAfter !== null) {
    const n = Math.max(1, relayRequestCount);
    const delta = (name: string) => (redisAfter.get(name) ?? 0) - (redisBefore.get(name) ?? 0);
    const all = [...redisAfter.keys()].reduce((sum, name) => sum + delta(name), 0);
    // Commands a Lua script runs are counted too: EVALSHA calls are the round trips of the usage script.
    const top = [...redisAfter.keys()]
      .map((name) => [name, delta(name) / n] as const)
      .filter(([, v]) => v >= 0.05)
      .sort((a, b) => b[1] - a[1]);
    console.log(
      `redis: ${(all / n).toFixed(2)} commands per relayed request (${relayRequestCount.toLocaleString()} requests): ${top.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`,
    );
  }
  console.log(ok ? '\nwithin budget' : '\nover budget (see above)');
}

/** Relayed requests sent by the measured and warm-up runs (for the Redis round trips per request). */
let relayRequestCount = 0;

/** Time from "listening" to the first answered relay request (caches cold). */
async function firstAnsweredMs(url: string, key: string, body: string): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(url, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body });
  await r.text();
  return performance.now() - t0;
}

/** Steady streaming load (c=16) for SOAK_MIN minutes; prints RSS every 30 s and the growth at the end. */
async function soak(url: string, key: string, pid: number | undefined): Promise<void> {
  const rss = () => rssMb(pid);
  const body = requestBody(true, 20);
  const instance = autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
    body,
    connections: 16,
    duration: SOAK_MIN * 60,
  });
  const samples: number[] = [];
  const t0 = Date.now();
  const timer = setInterval(() => {
    samples.push(rss());
    console.log(`soak ${((Date.now() - t0) / 60_000).toFixed(1).padStart(4)} min  RSS ${samples.at(-1)!.toFixed(1)} MB`);
  }, 30_000);
  const r = await instance;
  clearInterval(timer);
  const firstHalf = samples.slice(1, Math.ceil(samples.length / 2));
  const secondHalf = samples.slice(Math.ceil(samples.length / 2));
  const avg = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
  console.log(
    `soak: ${r.requests.total.toLocaleString()} requests (${r.requests.average.toFixed(0)} req/s, ${r.non2xx + r.errors} errors); RSS first half ${avg(firstHalf).toFixed(1)} MB, second half ${avg(secondHalf).toFixed(1)} MB (growth ${(avg(secondHalf) - avg(firstHalf)).toFixed(1)} MB)`,
  );
}
main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
  });
