import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, isoTime } from './logger.js';

test('secrets are redacted by path in every line', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const log = createLogger({ level: 'info', destination: sink });
  log.info({ req: { headers: { authorization: 'Bearer cr_secret', 'x-api-key': 'cr_secret2', 'user-agent': 'ua' } } }, 'request');
  log.info({ account: { apiKey: 'sk-ant-secret', name: 'acct' }, password: 'hunter2' }, 'account');
  log.info({ token: 'tok-secret', proxy: 'socks5://u:proxypw@h:1' }, 'misc');
  const text = lines.join('');
  for (const secret of ['cr_secret', 'cr_secret2', 'sk-ant-secret', 'hunter2', 'tok-secret', 'proxypw']) assert.ok(!text.includes(secret), secret);
  assert.match(text, /"user-agent":"ua"/);
  assert.match(text, /"name":"acct"/);
  assert.equal((text.match(/\[redacted\]/g) ?? []).length, 6);
});

test('the time field is pino’s isoTime, the same text for every line of a millisecond', async () => {
  const { pino } = await import('pino');
  const realNow = Date.now;
  try {
    Date.now = () => 1_700_000_000_123;
    assert.equal(isoTime(), ',"time":"2023-11-14T22:13:20.123Z"');
    assert.equal(isoTime(), pino.stdTimeFunctions.isoTime());
    Date.now = () => 1_700_000_000_124;
    assert.equal(isoTime(), ',"time":"2023-11-14T22:13:20.124Z"', 'the next millisecond gets its own text');
    assert.equal(isoTime(), pino.stdTimeFunctions.isoTime());
  } finally {
    Date.now = realNow;
  }
});
