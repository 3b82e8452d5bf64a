import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock, monotonicNow } from './clock.js';

const SRC = fileURLToPath(new URL('../', import.meta.url));
/** Reading the system's clocks directly: the wall clock (called or passed around) and the monotonic one. */
const CLOCK_READ = /\bDate\.now\b|\bnew Date\(\s*\)|\bperformance\.now\b/;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

test('no module but core/clock.ts reads the clock: time comes from an injected Clock (or monotonicNow)', () => {
  const offenders: string[] = [];
  for (const file of sources(SRC)) {
    const rel = relative(SRC, file).split('\\').join('/');
    if (rel === 'core/clock.ts') continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (CLOCK_READ.test(line)) offenders.push(`src/${rel}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offenders, [], `use the injected clock (core/clock.ts) instead:\n${offenders.join('\n')}`);
});

test('ManualClock moves only when told; monotonicNow never goes back', () => {
  const c = new ManualClock(1000);
  c.advance(500);
  assert.equal(c.now(), 1500);
  c.set(10);
  assert.equal(c.now(), 10);
  const a = monotonicNow();
  assert.ok(monotonicNow() >= a);
});
