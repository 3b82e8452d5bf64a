import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger, isoTime, logRelayed, type RelayedLine } from './logger.js';

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

/** A destination that keeps each write. */
function capture(): { lines: string[]; sink: Writable } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, sink };
}

const relayed = (over: Partial<RelayedLine> = {}): RelayedLine => ({
  requestId: 'req_abc00000001',
  keyId: '0b6e5c1a-4c1e-4d5b-9a57-2b1f7c3e9d10',
  accountId: '5d2c7e8f-0a1b-4c3d-8e9f-112233445566',
  model: 'claude-sonnet-5',
  status: 200,
  durationMs: 17,
  stream: true,
  attempts: 1,
  ...over,
});

test('the relayed line is written in exactly the bytes log.info writes, for the root logger and a child', () => {
  const { lines, sink } = capture();
  const root = createLogger({ level: 'info', destination: sink });
  const cases: RelayedLine[] = [
    relayed(),
    relayed({ accountId: undefined, status: 499, stream: false, attempts: 0 }),
    relayed({ model: 'we"ird\\model', durationMs: 0, status: 503, attempts: 3 }),
    relayed({ keyId: 'lone\ud800surrogate', accountId: 'tab\there' }),
  ];
  for (const log of [root, root.child({ component: 'relay', n: 2 })]) {
    for (const line of cases) {
      lines.length = 0;
      log.info(line, 'relayed');
      logRelayed(log, line, 'relayed');
      assert.equal(lines.length, 2);
      // Both read the clock; a millisecond may pass between them.
      const [a, b] = lines.map((x) => x.replace(/"time":"[^"]+"/, '"time":"T"'));
      assert.equal(b, a);
      assert.deepEqual(JSON.parse(lines[1]).status, line.status);
    }
  }
});

test('the relayed line: nothing below the level; pino itself where the template cannot stand for it', () => {
  const quiet = capture();
  logRelayed(createLogger({ level: 'warn', destination: quiet.sink }), relayed(), 'relayed');
  assert.equal(quiet.lines.length, 0);
  // A mixin, a serialiser for one of the fields, a redaction of one: each line is pino's own.
  const { lines, sink } = capture();
  const loggers = [
    pino({ mixin: () => ({ extra: 1 }) }, sink),
    pino({ serializers: { model: (m: string) => m.toUpperCase() } }, sink),
    pino({ redact: ['keyId'] }, sink),
  ];
  for (const log of loggers) logRelayed(log, relayed(), 'relayed');
  assert.match(lines[0], /"extra":1/);
  assert.match(lines[1], /"model":"CLAUDE-SONNET-5"/);
  assert.match(lines[2], /"keyId":"\[Redacted\]"/);
});

test('the relayed line of a plain logger is the template, not pino: log.info is not called', () => {
  const { lines, sink } = capture();
  const log = createLogger({ level: 'info', destination: sink });
  let viaPino = 0;
  const info = log.info.bind(log);
  log.info = (...args: Parameters<typeof info>) => (viaPino++, info(...args));
  logRelayed(log, relayed(), 'relayed');
  assert.equal(viaPino, 0);
  assert.equal(lines.length, 1);
  logRelayed(log, relayed({ model: 'a"b' }), 'relayed');
  assert.equal(viaPino, 1, 'a string to escape goes through pino');
  assert.equal(JSON.parse(lines[1]).model, 'a"b');
});
