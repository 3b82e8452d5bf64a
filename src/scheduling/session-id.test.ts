import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conversationId, shortHash, sessionFromUserId } from './session-id.js';

const DEVICE = 'a'.repeat(64);
const SESSION = '6f1c2a6e-1d1b-4a4e-9b1e-3c2d1e0f9a8b';

const userIdCases: { name: string; in: unknown; out: string | null }[] = [
  { name: 'JSON form (v2.1.78+)', in: JSON.stringify({ device_id: DEVICE, account_uuid: '', session_id: SESSION }), out: SESSION },
  { name: 'legacy form, empty account', in: `user_${DEVICE}_account__session_${SESSION}`, out: SESSION },
  { name: 'legacy form, with account uuid', in: `user_${DEVICE}_account_1234-5678_session_${SESSION}`, out: SESSION },
  { name: 'opaque id', in: 'u-1', out: null },
  { name: 'broken JSON', in: '{"session_id":', out: null },
  { name: 'JSON without session', in: '{"device_id":"x"}', out: null },
  { name: 'not a string', in: 42, out: null },
];
for (const c of userIdCases)
  test(`sessionFromUserId: ${c.name} (again from the memo of recent ids)`, () => {
    assert.equal(sessionFromUserId(c.in), c.out);
    assert.equal(sessionFromUserId(c.in), c.out);
  });

test('conversationId: both user_id formats and the header give the same id for the same session', () => {
  const a = conversationId({ metadata: { user_id: JSON.stringify({ device_id: DEVICE, account_uuid: '', session_id: SESSION }) } }, {});
  const b = conversationId({ metadata: { user_id: `user_${DEVICE}_account__session_${SESSION}` } }, {});
  const c = conversationId({ messages: [{ role: 'user', content: 'x' }] }, { 'x-claude-code-session-id': SESSION });
  assert.ok(a);
  assert.equal(a, b);
  assert.equal(a, c);
  assert.match(a, /^s:[0-9a-f]{32}$/);
});

test('conversationId: content hash of system + first user message; later turns and the billing marker do not change it', () => {
  const system = [
    { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.197.abc; cch=12345;' },
    { type: 'text', text: 'You are helpful.' },
  ];
  const turn1 = { system, messages: [{ role: 'user', content: [{ type: 'text', text: 'refactor foo' }] }] };
  const turn3 = {
    system: [
      { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.197.def; cch=99999;' },
      { type: 'text', text: 'You are helpful.' },
    ],
    messages: [...turn1.messages, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'now bar' }],
  };
  const id1 = conversationId(turn1, {});
  assert.match(id1!, /^h:[0-9a-f]{32}$/);
  assert.equal(conversationId(turn3, {}), id1);
  assert.notEqual(conversationId({ ...turn1, messages: [{ role: 'user', content: 'another task' }] }, {}), id1);
  assert.equal(conversationId({ messages: [] }, {}), null);
});

test('conversationId: long prompts are told apart by length and both ends, and stay stable', () => {
  const long = 'a'.repeat(50_000);
  const body = (system: string) => ({ system, messages: [{ role: 'user', content: 'go' }] });
  assert.equal(conversationId(body(long), {}), conversationId(body(long), {}));
  assert.notEqual(conversationId(body(long), {}), conversationId(body(long + 'b'), {}), 'the end differs');
  assert.notEqual(conversationId(body(long), {}), conversationId(body('b' + long.slice(1)), {}), 'the start differs');
  assert.notEqual(conversationId(body(long), {}), conversationId(body(long.slice(1)), {}), 'the length differs');
});

test('conversation ids stay what earlier versions computed (sticky bindings in the store survive an upgrade)', () => {
  // Values from the Hash-object implementation before crypto.hash; the long system prompt is sampled.
  const long = 'You are Claude Code, Anthropic\u2019s CLI. '.repeat(120);
  assert.deepEqual(
    [
      conversationId({ messages: [{ role: 'user', content: 'x' }] }, { 'x-claude-code-session-id': 'a4d3c0de-1111-4222-8333-944455556666' }),
      conversationId({ system: 'short system', messages: [{ role: 'user', content: [{ type: 'text', text: 'refactor foo' }] }] }, {}),
      conversationId({ system: long, messages: [{ role: 'user', content: 'go \u00e9\u{1F600}' }] }, {}),
    ],
    ['s:6938c4759df8f35c19eed62adcab2bc3', 'h:d8abde69d364bcca0e4693680f6e171f', 'h:4f0ea6fc5afd1bb2ff51c5d272197cea'],
  );
});

test('conversationId: content ids are the same from the memo and past its bound (300 conversations, twice)', () => {
  const body = (i: number) => ({ system: `system ${i}`, messages: [{ role: 'user', content: 'go' }] });
  const first = Array.from({ length: 300 }, (_, i) => conversationId(body(i), {}));
  const again = Array.from({ length: 300 }, (_, i) => conversationId(body(i), {}));
  assert.deepEqual(again, first);
  assert.deepEqual(
    first,
    first.map((_, i) => 'h:' + shortHash(`system ${i}\u0000go`)),
  );
  assert.equal(new Set(first).size, 300);
});
