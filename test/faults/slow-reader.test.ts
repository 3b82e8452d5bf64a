// Slow readers: a client reads a long stream (an upstream that would send ~100 MB as fast as it may) at a crawl.
// Back-pressure must carry through the relay to the upstream: the relay holds a bounded amount for that client
// (its response's write buffer stays small), the upstream is held back instead of being drained into memory, and
// the relay's heap does not grow with the stream. When the client gives up, the upstream is closed and the request
// recorded once, as partial.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { startRelay, type TestRelay } from '../support/harness.js';
import { sleep } from '../support/load.js';

const TOTAL = 100 * 1024 * 1024;
const DELTA_TEXT = 'x'.repeat(16 * 1024);

/** An upstream that streams `TOTAL` bytes of text deltas, writing only while its socket accepts more. */
function floodUpstream() {
  const state = { written: 0, closed: false, finished: false };
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    for await (const _ of req); // the request body
    res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_flood' });
    res.on('close', () => (state.closed = true));
    const send = async (s: string) => {
      state.written += Buffer.byteLength(s);
      if (!res.write(s)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    };
    const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    await send(
      ev('message_start', {
        type: 'message_start',
        message: {
          id: 'msg_flood',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [],
          stop_reason: null,
          usage: { input_tokens: 17, output_tokens: 1 },
        },
      }),
    );
    await send(ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
    const delta = ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: DELTA_TEXT } });
    while (state.written < TOTAL && !state.closed) await send(delta);
    if (state.closed) return;
    await send(ev('content_block_stop', { type: 'content_block_stop', index: 0 }));
    await send(ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 25_000 } }));
    await send(ev('message_stop', { type: 'message_stop' }));
    state.finished = true;
    res.end();
  });
  return { server, state };
}

let up: ReturnType<typeof floodUpstream>;
let upUrl: string;
let relay: TestRelay;

before(async () => {
  up = floodUpstream();
  await new Promise<void>((r) => up.server.listen(0, '127.0.0.1', () => r()));
  upUrl = `http://127.0.0.1:${(up.server.address() as AddressInfo).port}`;
  relay = await startRelay();
  await relay.addAccount(upUrl);
});
after(async () => {
  await relay?.close();
  up.server.closeAllConnections();
  await new Promise((r) => up.server.close(r));
});

test('a client reading a 100 MB stream at ~1 MB/s: the relay buffers little, the upstream is held back, memory stays flat', async (t) => {
  const key = await relay.createKey({ name: 'slow' });
  // What the relay has queued for its clients (Node's write buffer of each response), sampled while it streams.
  const responses: ServerResponse[] = [];
  const onRequest = (_req: IncomingMessage, res: ServerResponse) => responses.push(res);
  relay.relay.app.server.on('request', onRequest);
  let maxQueued = 0;
  const sampler = setInterval(() => {
    for (const r of responses) maxQueued = Math.max(maxQueued, r.writableLength);
  }, 20);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;

  const body = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64000, stream: true, messages: [{ role: 'user', content: 'a very long answer' }] });
  const req = request(`${relay.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key.key, 'content-length': Buffer.byteLength(body) },
  });
  req.end(body);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  assert.equal(res.statusCode, 200);
  // Read 64 KB every 50 ms (~1.3 MB/s) for 4 seconds.
  let read = 0;
  res.pause();
  const until = Date.now() + 4000;
  while (Date.now() < until) {
    await sleep(50);
    let chunk: Buffer | null;
    let budget = 64 * 1024;
    while (budget > 0 && (chunk = res.read()) !== null) {
      read += chunk.length;
      budget -= chunk.length;
    }
  }
  clearInterval(sampler);
  const heapDuring = process.memoryUsage().heapUsed;
  const writtenBy = up.state.written;
  const ahead = writtenBy - read;
  t.diagnostic(`client read ${read} B, upstream wrote ${writtenBy} B, relay queued at most ${maxQueued} B, heap +${heapDuring - heapBefore} B`);

  // The upstream got only a little ahead of the reader: kernel socket buffers on two loopback connections plus a
  // bounded amount in the relay. Without back-pressure it would have sent all 100 MB within the first second.
  assert.ok(read > 1024 * 1024, `the client read ${read} bytes`);
  assert.ok(ahead < 24 * 1024 * 1024, `upstream wrote ${writtenBy} bytes, the client read ${read}: ${ahead} in flight`);
  assert.ok(writtenBy < TOTAL / 2, `the upstream was held back (${writtenBy} of ${TOTAL} bytes written)`);
  assert.ok(maxQueued < 2 * 1024 * 1024, `the relay queued at most ${maxQueued} bytes for the client`);
  assert.ok(heapDuring - heapBefore < 64 * 1024 * 1024, `heap grew by ${heapDuring - heapBefore} bytes`);

  // The client gives up: the upstream is closed, the request is recorded once (partial, with the usage seen).
  res.destroy();
  req.destroy();
  for (const t = Date.now() + 3000; !up.state.closed && Date.now() < t;) await sleep(20);
  assert.ok(up.state.closed, 'the relay closed the upstream when the client went away');
  assert.equal(up.state.finished, false);
  relay.relay.app.server.off('request', onRequest);
  const rows = await relay.recorded(key.id, 1);
  await sleep(100);
  const final = await relay.relay.store.usage.recentRequests(10, { keyId: key.id });
  assert.equal(final.length, 1);
  assert.equal(rows.length, 1);
  assert.equal(final[0].partial, true);
  assert.equal(final[0].usage.input, 17);
});
