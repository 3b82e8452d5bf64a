import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH_DELAY_MS, LineBatch } from './log-batch.js';

/** An output that records each write it is given. */
function recorder(): { writes: string[]; write(text: string): void } {
  const writes: string[] = [];
  return { writes, write: (text) => void writes.push(text) };
}

test('lines of a burst reach every output as one write, in order, after the delay', async () => {
  const a = recorder();
  const b = recorder();
  const batch = new LineBatch([a, b]);
  try {
    for (let i = 0; i < 100; i++) batch.write(`{"n":${i}}\n`);
    assert.deepEqual(a.writes, [], 'nothing is written per line');
    await new Promise((r) => setTimeout(r, BATCH_DELAY_MS * 3));
    const expected = Array.from({ length: 100 }, (_, i) => `{"n":${i}}\n`).join('');
    assert.deepEqual(a.writes, [expected]);
    assert.deepEqual(b.writes, [expected]);
    batch.write('{"n":100}\n');
    await new Promise((r) => setTimeout(r, BATCH_DELAY_MS * 3));
    assert.deepEqual(a.writes, [expected, '{"n":100}\n'], 'a later line starts a new batch');
  } finally {
    batch.close();
  }
});

test('a large burst is written when it reaches 64 K characters, without waiting', () => {
  const a = recorder();
  const batch = new LineBatch([a]);
  try {
    const line = JSON.stringify({ msg: 'x'.repeat(1000) }) + '\n';
    for (let i = 0; i < 70; i++) batch.write(line);
    assert.equal(a.writes.length, 1);
    assert.ok(a.writes[0].length >= 64 * 1024);
    assert.equal(a.writes[0], line.repeat(a.writes[0].length / line.length));
    batch.flush();
    assert.equal(a.writes.join(''), line.repeat(70), 'flush writes the rest');
  } finally {
    batch.close();
  }
});

test('an output that throws is reported and does not keep lines from the others', () => {
  const good = recorder();
  const errors: string[] = [];
  const broken = {
    write() {
      throw new Error('EPIPE: broken pipe');
    },
  };
  const batch = new LineBatch([broken, good], (e) => errors.push(e.message));
  batch.write('{"a":1}\n');
  batch.close();
  assert.deepEqual(good.writes, ['{"a":1}\n']);
  assert.deepEqual(errors, ['EPIPE: broken pipe']);
});

test('pino flush(cb) writes the batch and calls back', () => {
  const a = recorder();
  const batch = new LineBatch([a]);
  let called = false;
  batch.write('{"a":1}\n');
  batch.flush(() => (called = true));
  batch.close();
  assert.deepEqual(a.writes, ['{"a":1}\n']);
  assert.equal(called, true);
});

test('lines logged just before process.exit() are in the file and on stdout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crs-log-exit-'));
  const script = `
    const { createAppLogger } = await import(${JSON.stringify(new URL('./log-setup.ts', import.meta.url).href)});
    const logs = createAppLogger({ level: 'info', dir: ${JSON.stringify(dir)}, stdout: true, pretty: false, retentionDays: 1, tzOffsetHours: 0 });
    for (let i = 0; i < 500; i++) logs.log.info({ i }, 'line');
    process.stderr.write('FILE ' + logs.file() + '\\n');
    process.exit(3);
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 3, r.stderr);
  const file = /FILE (.+)/.exec(r.stderr)![1];
  const fromFile = readFileSync(file, 'utf8').trim().split('\n');
  const fromStdout = r.stdout.trim().split('\n');
  for (const lines of [fromFile, fromStdout]) {
    assert.equal(lines.length, 500);
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { i: number }).i),
      Array.from({ length: 500 }, (_, i) => i),
    );
  }
});
