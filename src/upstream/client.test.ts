import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createUpstreamClient, LET_GO_MIN } from './client.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A server that reads each request whole, answers the head and a first event, and holds the stream open. */
async function holdingServer() {
  const held: ServerResponse[] = [];
  const received: number[] = [];
  const server = createServer((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      received.push(n);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: ping\ndata: {}\n\n');
      held.push(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    for (const r of held) r.end();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { origin, received, close };
}

async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

// undici keeps a Buffer body for the life of the request (its writer's abort closure holds it), so bodies from
// LET_GO_MIN on go as a one-shot iterable: once written, only the upstream has them.
for (const size of [LET_GO_MIN, 200 * 1024]) {
  test(`a ${size / 1024} KB request body is let go once sent, while its answer still streams`, async () => {
    const up = await holdingServer();
    const client = createUpstreamClient({ timeoutMs: 10_000 });
    let ref!: WeakRef<Buffer>;
    // Only the exchange (and undici) may keep the body: the test holds a weak reference.
    const ex = (() => {
      const body = Buffer.alloc(size, 'a');
      ref = new WeakRef(body);
      return client.exchange({ origin: up.origin, path: '/v1/messages', method: 'POST', headers: { 'content-type': 'application/json' }, body });
    })();
    try {
      await ex.head;
      assert.equal(ex.statusCode, 200);
      assert.deepEqual(up.received, [size], 'the upstream got the whole body');
      await collectGarbage();
      assert.equal(ref.deref(), undefined, 'nothing holds the sent body while the stream is open');
    } finally {
      ex.abort();
      await client.close().catch(() => undefined);
      await up.close();
    }
  });
}
