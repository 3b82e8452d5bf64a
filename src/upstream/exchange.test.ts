import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dispatcher } from 'undici';
import { UpstreamExchange, type BodySink } from './exchange.js';

/** undici's side of the exchange, driven by hand: records pause/resume/abort. */
function controller(): Dispatcher.DispatchController & { log: string[] } {
  const log: string[] = [];
  let paused = false;
  return {
    log,
    get aborted() {
      return log.includes('abort');
    },
    get paused() {
      return paused;
    },
    get reason() {
      return null;
    },
    pause() {
      paused = true;
      log.push('pause');
    },
    resume() {
      paused = false;
      log.push('resume');
    },
    abort() {
      log.push('abort');
    },
  };
}

function collector(opts: { holdAfter?: number } = {}): BodySink & { got: string[]; ended: boolean; failed: Error | null } {
  const s = {
    got: [] as string[],
    ended: false,
    failed: null as Error | null,
    data(c: Buffer) {
      s.got.push(c.toString());
      return opts.holdAfter === undefined || s.got.length < opts.holdAfter;
    },
    end() {
      s.ended = true;
    },
    error(e: Error) {
      s.failed = e;
    },
  };
  return s;
}

/** An exchange whose 200 head has come. */
async function answered() {
  const ex = new UpstreamExchange();
  const c = controller();
  ex.onRequestStart(c);
  ex.onResponseStart(c, 200, {});
  await ex.head;
  return { ex, c };
}

/** Lets the exchange deliver what came in this tick. */
const tick = () => new Promise((r) => process.nextTick(r));

test('chunks that arrive before a reader are queued with the socket paused, then delivered in order', async () => {
  const ex = new UpstreamExchange();
  const c = controller();
  ex.onRequestStart(c);
  ex.onResponseStart(c, 100, {}); // an informational head is not the answer
  ex.onResponseStart(c, 200, { 'content-type': 'text/plain' });
  await ex.head;
  assert.equal(ex.statusCode, 200);
  ex.onResponseData(c, Buffer.from('a'));
  ex.onResponseData(c, Buffer.from('b'));
  assert.ok(c.paused);
  const sink = collector();
  ex.read(sink);
  assert.deepEqual(sink.got, ['ab'], 'what was queued comes as one chunk');
  assert.equal(c.paused, false, 'reading resumes the socket');
  ex.onResponseData(c, Buffer.from('c'));
  ex.onResponseEnd();
  assert.deepEqual(sink.got, ['ab', 'c'], 'the end delivers what came before it');
  assert.ok(sink.ended && ex.done);
  await tick();
  assert.deepEqual(sink.got, ['ab', 'c'], 'nothing is delivered twice');
});

test("the chunks of one tick reach the reader as one chunk on the next tick, a later tick's separately", async () => {
  const { ex, c } = await answered();
  const sink = collector();
  ex.read(sink);
  for (const e of ['event: a\n\n', 'event: b\n\n', 'event: c\n\n']) ex.onResponseData(c, Buffer.from(e));
  assert.deepEqual(sink.got, [], 'delivered on the next tick');
  assert.equal(c.paused, false, 'the socket is not paused meanwhile');
  await tick();
  assert.deepEqual(sink.got, ['event: a\n\nevent: b\n\nevent: c\n\n']);
  ex.onResponseData(c, Buffer.from('event: d\n\n'));
  await tick();
  assert.deepEqual(sink.got.slice(1), ['event: d\n\n'], 'a later tick is a chunk of its own: the stream stays live');
  ex.onResponseEnd();
  assert.ok(sink.ended);
});

test('a reader that throws on a delivery fails the exchange, as it would inside undici', async () => {
  const { ex, c } = await answered();
  ex.read({
    data: () => {
      throw new Error('bad event');
    },
    end: () => assert.fail('not the end'),
    error: () => undefined,
  });
  ex.onResponseData(c, Buffer.from('x'));
  await tick();
  assert.equal(c.log.at(-1), 'abort', 'the upstream request is aborted, nothing is thrown out of the tick');
});

test('a sink that asks to wait holds the body, the end and the error until it resumes', async () => {
  const { ex, c } = await answered();
  const sink = collector({ holdAfter: 1 });
  ex.read(sink);
  ex.onResponseData(c, Buffer.from('1'));
  await tick();
  assert.deepEqual(sink.got, ['1']);
  assert.ok(c.paused, 'back-pressure pauses the socket');
  ex.onResponseData(c, Buffer.from('2'));
  ex.onResponseError(c, new Error('reset'));
  await tick();
  assert.deepEqual(sink.got, ['1']);
  assert.deepEqual([sink.failed], [null], 'the error waits behind the data');
  ex.resume();
  assert.deepEqual(sink.got, ['1', '2']);
  ex.resume();
  assert.equal(sink.failed?.message, 'reset');
});

test('a reader can take the first chunk, detach, and another read the rest', async () => {
  const { ex, c } = await answered();
  const first: string[] = [];
  ex.read({
    data: (chunk) => {
      first.push(chunk.toString());
      ex.detach();
      return true;
    },
    end: () => assert.fail('not the end'),
    error: () => assert.fail('no error'),
  });
  ex.onResponseData(c, Buffer.from('x'));
  await tick();
  ex.onResponseData(c, Buffer.from('y'));
  ex.onResponseEnd();
  await tick();
  assert.deepEqual(first, ['x']);
  const rest = collector();
  ex.read(rest);
  assert.deepEqual(rest.got, ['y']);
  assert.ok(rest.ended);
});

test('a failure before the head rejects it through the mapper; an abort before the connection cancels it when it comes', async () => {
  const mapped = new UpstreamExchange((e, aborted) => new Error(`mapped ${e.message} ${aborted}`));
  mapped.onResponseError(null, new Error('ECONNREFUSED'));
  await assert.rejects(mapped.head, /mapped ECONNREFUSED false/);

  const ex = new UpstreamExchange();
  ex.abort();
  await assert.rejects(ex.head, (e: Error) => e.name === 'AbortError');
  const c = controller();
  ex.onRequestStart(c);
  assert.deepEqual(c.log, ['abort']);
  ex.onResponseError(c, new Error('aborted')); // undici's echo of our abort changes nothing
});
