// P8 item 7: count_tokens honours the key's client restriction and its rate window's request count (not the
// window's cost, which it does not use); it still takes no concurrency slot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { startRelay, type TestRelay } from '../support/harness.js';

const CLAUDE_CODE = { 'user-agent': 'claude-cli/2.1.197 (external, sdk-cli)', 'x-app': 'cli', 'anthropic-beta': 'claude-code-20250219' };
const BODY = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'how many tokens is this' }] };

let fake: FakeUpstream;
let t: TestRelay;
before(async () => {
  fake = await createFakeUpstream();
  t = await startRelay();
  await t.addAccount(fake.url);
});
after(async () => {
  await t.close();
  await fake.close();
});

async function count(key: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${t.url}/api/v1/messages/count_tokens`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify(BODY),
  });
  await res.arrayBuffer();
  return res.status;
}

test('a key restricted to Claude Code counts tokens from Claude Code only', async () => {
  const { key } = await t.createKey({ enableClientRestriction: true, allowedClients: ['claude_code'] });
  assert.equal(await count(key, CLAUDE_CODE), 200);
  assert.equal(await count(key, { 'user-agent': 'curl/8' }), 403);
});

test('count_tokens takes places in the rate window: the third of two allowed is refused', async () => {
  const { key } = await t.createKey({ rateLimitWindow: 1, rateLimitRequests: 2 });
  assert.deepEqual([await count(key), await count(key), await count(key)], [200, 200, 429]);
});

test('a window whose cost budget is used up still counts tokens (count_tokens costs nothing)', async () => {
  const { id, key } = await t.createKey({ rateLimitWindow: 10, rateLimitCost: 0.000001 });
  const res = await fetch(`${t.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ ...BODY, max_tokens: 16 }),
  });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  await t.recorded(id);
  const again = await fetch(`${t.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ ...BODY, max_tokens: 16 }),
  });
  await again.arrayBuffer();
  assert.equal(again.status, 429, 'the window cost budget is spent');
  assert.equal(await count(key), 200);
});

test('count_tokens holds no concurrency slot', async () => {
  const { key } = await t.createKey({ concurrencyLimit: 1 });
  fake.enqueue({ kind: 'reply', stream: { delayMs: 150 } });
  const running = fetch(`${t.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ ...BODY, max_tokens: 16, stream: true }),
  });
  const res = await running;
  assert.equal(res.status, 200);
  assert.equal(await count(key), 200, 'beside a running stream');
  await res.arrayBuffer();
});
