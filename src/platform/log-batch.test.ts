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

test('a large burst is written when it reaches 64 KB, without waiting', () => {
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

test('lines of any size and script come out byte for byte, in order', () => {
  const a = recorder();
  const batch = new LineBatch([a]);
  try {
    const lines = [
      '{"msg":"中文日志 ✓"}\n',
      JSON.stringify({ msg: 'a'.repeat(60_000) }) + '\n', // the batch stays under 64 KB: not handed over yet
      JSON.stringify({ msg: '日'.repeat(25_000) }) + '\n', // 75 KB of UTF-8: does not fit beside the two before it
      '{"msg":"after"}\n',
      JSON.stringify({ msg: 'x'.repeat(300_000) }) + '\n', // longer than the whole buffer: handed over by itself
      '{"msg":"😀 last"}\n',
    ];
    for (const l of lines) batch.write(l);
    batch.flush();
    const sizes = (texts: string[]) => texts.map((t) => Buffer.byteLength(t));
    assert.ok(a.writes.join('') === lines.join(''), 'every byte, in order');
    // The 75 KB line is over 64 KB by itself, so it is handed over at once.
    assert.deepEqual(sizes(a.writes), sizes([lines[0] + lines[1], lines[2], lines[3], lines[4], lines[5]]));
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

test('lines logged just before process.exit() are in the file and on stdout, in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crs-log-exit-'));
  const script = `
    const { createAppLogger } = await import(${JSON.stringify(new URL('./log-setup.ts', import.meta.url).href)});
    const logs = createAppLogger({ level: 'info', dir: ${JSON.stringify(dir)}, stdout: true, pretty: false, retentionDays: 1, tzOffsetHours: 0 });
    for (let i = 0; i < 2000; i++) logs.log.info({ i }, 'line');
    process.stderr.write('FILE ' + logs.file() + '\\n');
    process.exit(3);
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 3, r.stderr);
  const file = /FILE (.+)/.exec(r.stderr)![1];
  const fromFile = readFileSync(file, 'utf8').trim().split('\n');
  const fromStdout = r.stdout.trim().split('\n');
  for (const lines of [fromFile, fromStdout]) {
    // ~220 KB: batches handed over at 64 K characters (asynchronous writes), the rest written at exit.
    assert.equal(lines.length, 2000);
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { i: number }).i),
      Array.from({ length: 2000 }, (_, i) => i),
    );
  }
});

test('at exit (flushSync) an output that can write synchronously does; the others get a normal write', () => {
  const plain = recorder();
  const calls: string[] = [];
  const syncCapable = {
    write: (text: string) => void calls.push(`write ${text}`),
    flushSync: () => void calls.push('flushSync'),
    writeSync: (text: string) => void calls.push(`writeSync ${text}`),
  };
  const batch = new LineBatch([syncCapable, plain]);
  batch.write('{"a":1}\n');
  batch.flush();
  batch.write('{"a":2}\n');
  batch.close();
  assert.deepEqual(calls, ['write {"a":1}\n', 'writeSync {"a":2}\n', 'flushSync']);
  assert.deepEqual(plain.writes, ['{"a":1}\n', '{"a":2}\n']);
});
