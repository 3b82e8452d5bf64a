import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dayLabel, DailyLogFile } from './log-files.js';
import { createAppLogger } from './log-setup.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'crs-logs-'));
const at = (iso: string) => Date.parse(iso);

test('dayLabel: the day in the configured offset', () => {
  assert.equal(dayLabel(at('2026-03-01T15:59:59Z'), 8), '2026-03-01');
  assert.equal(dayLabel(at('2026-03-01T16:00:00Z'), 8), '2026-03-02');
  assert.equal(dayLabel(at('2026-03-01T23:30:00Z'), 0), '2026-03-01');
});

test('a new file at midnight (UTC+8), files past the retention deleted, other files left alone', async () => {
  const dir = tmp();
  // Old files of this logger and a file of someone else.
  writeFileSync(join(dir, 'relay-2026-02-20.log'), 'old\n');
  writeFileSync(join(dir, 'relay-2026-02-27.log'), 'kept\n');
  writeFileSync(join(dir, 'native-stdout.log'), 'not ours\n');
  let now = at('2026-03-01T15:59:00Z'); // 23:59 on 1 March in UTC+8
  const f = new DailyLogFile({ dir, retentionDays: 3, tzOffsetHours: 8, now: () => now, sync: true });
  assert.deepEqual(readdirSync(dir).sort(), ['native-stdout.log', 'relay-2026-02-27.log', 'relay-2026-03-01.log']);
  f.write('{"n":1}\n');
  now = at('2026-03-01T16:00:01Z'); // 00:00:01 on 2 March
  f.write('{"n":2}\n');
  f.write('{"n":3}\n');
  now = at('2026-03-03T16:00:00Z'); // 4 March: 1 March drops out of a 3-day window
  f.write('{"n":4}\n');
  await f.end();
  assert.deepEqual(readdirSync(dir).sort(), ['native-stdout.log', 'relay-2026-03-02.log', 'relay-2026-03-04.log']);
  assert.equal(readFileSync(join(dir, 'relay-2026-03-02.log'), 'utf8'), '{"n":2}\n{"n":3}\n');
  assert.equal(readFileSync(join(dir, 'relay-2026-03-04.log'), 'utf8'), '{"n":4}\n');
});

test('the app logger: JSON lines in the day file, secrets redacted, no stdout when turned off', async () => {
  const dir = tmp();
  const logs = createAppLogger({ level: 'info', dir, stdout: false, retentionDays: 14, tzOffsetHours: 8 });
  logs.log.info({ apiKey: 'sk-ant-api03-secret', headers: { authorization: 'Bearer cr_secret' }, keyId: 'k1' }, 'hello');
  logs.log.debug('below the level');
  const file = logs.file()!;
  await logs.close();
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].msg, 'hello');
  assert.equal(lines[0].keyId, 'k1');
  assert.equal(lines[0].apiKey, '[redacted]');
  assert.equal(lines[0].headers.authorization, '[redacted]');
  assert.doesNotMatch(readFileSync(file, 'utf8'), /secret/);
});
