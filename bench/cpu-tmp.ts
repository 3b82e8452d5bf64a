import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
const kids: any[] = [];
function start(script: string, args: string[], on: 'stdout'|'stderr'): Promise<[string[], number]> {
  const c = spawn(process.execPath, [...(process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}/${script}`] : []), '--import', 'tsx', new URL(script, import.meta.url).pathname, ...args], { stdio: ['ignore', on === 'stdout' ? 'pipe' : 'ignore', on === 'stderr' ? 'pipe' : 'inherit'] });
  kids.push(c);
  return new Promise((res) => createInterface({ input: (on === 'stdout' ? c.stdout : c.stderr)! }).on('line', (l) => l.startsWith('READY ') && res([l.split(' ').slice(1), c.pid!])));
}
const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; }; // ms (CLK_TCK=100)
const stream = process.env.STREAM === '1';
const body = JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 100, stream, system: 'x'.repeat(20000), messages: [{ role: 'user', content: 'hi' }] });
const [[up]] = await start('upstream.ts', [], 'stdout');
for (const script of (process.env.SCRIPTS ?? 'relay-server.ts').split(',')) {
  const [[port, key], pid] = await start(script, [up], 'stderr');
  const url = (script.includes('relay') || script.includes('floorf')) ? `http://127.0.0.1:${port}/api/v1/messages` : `http://127.0.0.1:${port}/v1/messages`;
  const opts = { url, method: 'POST' as const, headers: { 'x-api-key': key, 'content-type': 'application/json' }, body, connections: Number(process.env.CONN ?? 32) };
  await autocannon({ ...opts, amount: 5000 });
  const c0 = cpu(pid);
  const n = 20000;
  const r = await autocannon({ ...opts, amount: n });
  const c1 = cpu(pid);
  const wall = (r.duration ?? 1) * 1000; console.log(`busy ${(((c1 - c0) / 1) / wall * 100).toFixed(0)}% ${script.padEnd(18)} ${stream ? 'stream' : 'json  '} cpu/request ${((c1 - c0) * 1000 / n).toFixed(1)} us   rps ${r.requests.average.toFixed(0)} non2xx ${r.non2xx}`);
}
for (const k of kids) k.kill('SIGTERM');
