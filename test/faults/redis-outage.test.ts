// Redis stopped under load: a relay on its own redis-server (never the shared one) keeps a steady load of stream
// and non-stream requests while Redis is killed and later restarted, and while it hangs (SIGSTOP). Every answer is
// a complete 200 or a prompt 503 in the Anthropic error shape (never a 500, never a stall); the relay recovers by
// itself; usage is recorded at most once per request, and every request answered while Redis was up is recorded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { startRelay, type TestRelay } from '../support/harness.js';
import { loadLoop, sendMessage, sleep, type Outcome } from '../support/load.js';
import { redisServerSkipReason, startRedisServer, type RedisProcess } from '../support/redis-servers.js';

const skip = redisServerSkipReason();
const USAGE = { input_tokens: 11, output_tokens: 5 };
/** No request may take longer than this (the relay's Redis command timeout is 1 s here). */
const STALL_MS = 3000;

describe('Redis stopped under load', { skip: skip ?? false }, () => {
  let redis: RedisProcess;
  let fake: FakeUpstream;
  let relay: TestRelay;
  let limited: { id: string; key: string };
  let open: { id: string; key: string };

  before(async () => {
    redis = await startRedisServer({ persistent: true });
    fake = await createFakeUpstream();
    fake.setDefault({ kind: 'reply', usage: USAGE });
    relay = await startRelay({
      env: {
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: 'crs-fault:',
        ENCRYPTION_KEY: 'e'.repeat(32),
        JWT_SECRET: 'j'.repeat(40),
        REDIS_COMMAND_TIMEOUT_MS: '1000',
      },
    });
    await relay.addAccount(fake.url);
    // One key whose admission is a store operation (limits), one without limits.
    limited = await relay.createKey({ name: 'limited', concurrencyLimit: 50, rateLimitWindow: 60, rateLimitRequests: 1_000_000 });
    open = await relay.createKey({ name: 'open' });
  });
  after(async () => {
    await relay?.close().catch(() => {});
    await fake?.close();
    await redis?.close();
  });

  /** Load on both keys, stream and not, until `stop()`; tags each outcome with the phase it started in. */
  function load(phase: () => string, stop: () => boolean) {
    return loadLoop(
      6,
      async (w, i) => {
        const p = phase();
        const key = w % 2 === 0 ? limited : open;
        const o = await sendMessage(relay.url, { key: key.key, stream: i % 2 === 0, text: `w${w} i${i}`, timeoutMs: 15_000 });
        if (o.kind !== 'ok') await sleep(20); // failures come back fast: do not spin
        // A request is 'up' only when Redis was up for the whole of it.
        return { ...o, phase: p === phase() ? p : `${p}>${phase()}`, keyId: key.id };
      },
      stop,
    );
  }

  function checkClean(outcomes: (Outcome & { phase: string })[]) {
    for (const o of outcomes) {
      assert.ok(o.ms < STALL_MS, `a request took ${Math.round(o.ms)} ms (phase ${o.phase}, status ${o.status})`);
      assert.notEqual(o.kind, 'stalled');
      if (o.kind === 'ok') continue;
      assert.equal(o.kind, 'error', `not a clean answer (phase ${o.phase}): ${o.status} ${o.body.slice(0, 300)}`);
      assert.equal(o.status, 503, `only 503 while Redis is down (phase ${o.phase}): ${o.status} ${o.body.slice(0, 300)}`);
      assert.equal(o.errorType, 'api_error');
      assert.match(o.message ?? '', /storage/i, 'the message says what is wrong');
    }
  }

  /**
   * Successful requests recorded for a key (refusals the relay loop answered are in the log too, with their status);
   * no request id twice; aggregates agree with the request log.
   */
  async function recordedFor(keyId: string): Promise<number> {
    await relay.relay.recorder.drain();
    const rows = await relay.relay.store.usage.recentRequests(100_000, { keyId });
    assert.equal(new Set(rows.map((r) => r.requestId)).size, rows.length, 'no request recorded twice');
    const report = await relay.admin('GET', `/usage?keyId=${keyId}&granularity=day`);
    assert.equal(report.status, 200);
    assert.equal(report.json.totals.requests, rows.length, 'aggregates count each recorded request once');
    const ok = rows.filter((r) => r.status === 200);
    assert.equal(report.json.totals.input, ok.length * USAGE.input_tokens, 'input tokens counted once per request');
    assert.equal(report.json.totals.output, ok.length * USAGE.output_tokens, 'output tokens counted once per request');
    return ok.length;
  }

  test('killed and restarted: 503 at once while down, recovery unaided, no stall, no double count', async () => {
    let phase = 'up';
    let stop = false;
    const run = load(
      () => phase,
      () => stop,
    );
    await sleep(800);
    // Usage is written in batches (50 ms): a request answered just before the kill may have its record in a batch
    // the kill catches (logged as lost after one retry). Those answered while Redis stays up for a while after
    // them are the ones that must be recorded.
    phase = 'draining';
    await sleep(300);
    phase = 'down';
    await redis.kill();
    await sleep(1500);
    phase = 'restarting';
    await redis.restart();
    const restarted = Date.now();
    // Recovery: the first success after the restart, without any help.
    let recoveredAt = 0;
    let failedProbes = 0;
    while (!recoveredAt && Date.now() - restarted < 8000) {
      const o = await sendMessage(relay.url, { key: limited.key });
      if (o.kind === 'ok') recoveredAt = Date.now();
      else {
        failedProbes++;
        await sleep(100);
      }
    }
    assert.ok(recoveredAt, 'the relay serves again within 8 s of Redis coming back');
    phase = 'recovered';
    await sleep(800);
    stop = true;
    const outcomes = await run;

    checkClean(outcomes);
    const by = (p: string) => outcomes.filter((o) => o.phase === p);
    assert.ok(
      by('up').every((o) => o.kind === 'ok'),
      'all served while Redis was up',
    );
    assert.ok(
      by('down').some((o) => o.status === 503),
      'requests were refused with 503 while Redis was down',
    );
    assert.ok(by('recovered').length > 0 && by('recovered').every((o) => o.kind === 'ok'), 'all served after recovery');

    // Usage: each request at most once; every request answered while Redis was up (before and after) recorded.
    for (const k of [limited, open]) {
      const mine = outcomes.filter((o) => o.keyId === k.id);
      const okUp = mine.filter((o) => o.kind === 'ok' && (o.phase === 'up' || o.phase === 'recovered')).length;
      const okAll = mine.filter((o) => o.kind === 'ok').length;
      const recorded = await recordedFor(k.id);
      // The recovery probes (limited key) are answered too: the one success among them is recorded.
      const probes = k === limited ? 1 : 0;
      assert.ok(recorded >= okUp + probes, `every answer given while Redis was up is recorded (${recorded} < ${okUp} + ${probes})`);
      assert.ok(recorded <= okAll + probes + failedProbes, `never more records than answers (${recorded} > ${okAll} + ${probes})`);
    }
  });

  test('hung (SIGSTOP): requests fail within the command timeout instead of stalling, and recover on SIGCONT', async () => {
    let phase = 'up';
    let stop = false;
    const run = load(
      () => phase,
      () => stop,
    );
    await sleep(500);
    phase = 'down';
    redis.pause();
    await sleep(2500);
    phase = 'restarting';
    redis.resume();
    const resumed = Date.now();
    let recoveredAt = 0;
    while (!recoveredAt && Date.now() - resumed < 8000) {
      const o = await sendMessage(relay.url, { key: limited.key });
      if (o.kind === 'ok') recoveredAt = Date.now();
      else await sleep(100);
    }
    assert.ok(recoveredAt, 'the relay serves again within 8 s of Redis answering again');
    phase = 'recovered';
    await sleep(500);
    stop = true;
    const outcomes = await run;
    checkClean(outcomes);
    assert.ok(
      outcomes.some((o) => o.phase === 'down' && o.status === 503),
      'requests were refused with 503 while Redis hung',
    );
    assert.ok(outcomes.filter((o) => o.phase === 'recovered').every((o) => o.kind === 'ok'));
    for (const k of [limited, open]) await recordedFor(k.id);
  });
});
