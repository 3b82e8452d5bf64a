import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatToMessages } from '../../../translate/openai-chat-to-anthropic/index.js';
import { parseJsonObject } from '../../request-body.js';
import { anthropicBody, readChatBody } from './chat-body.js';

const claude = (m: string) => m.startsWith('claude-');

/** ~2.4 KB of system prompt with what JSON escapes: quotes, a backslash, control characters, Unicode. */
const LONG = Array.from({ length: 40 }, (_, i) => `Rule ${i}: say "ok", ünïcode ✓ 😀 \\ tab\t.\n`).join('');

/**
 * A chat body written as a client might: the system prompt's literal with escapes JSON.stringify would not write
 * (`\/`, `\u00e9`), so the Anthropic body shows whether the client's literal or a new serialisation went up.
 */
function rawBody(messages: unknown[], extra = ''): Buffer {
  const json = JSON.stringify({ model: 'claude-sonnet-5', stream: true, max_tokens: 100, messages });
  return Buffer.from(
    json
      .replace(/ü/g, '\\u00fc')
      .replace(/Rule/g, 'R\\/ule')
      .replace(/}$/, extra + '}'),
  );
}

const uncached = (raw: Buffer) => chatToMessages(parseJsonObject(raw)).request;

function sent(raw: Buffer): { text: string; json: Record<string, unknown>; chat: ReturnType<typeof readChatBody> } {
  const chat = readChatBody(raw, claude);
  const t = chatToMessages(chat.body, chat.tools);
  const text = anthropicBody(t.request, chat).toString('utf8');
  return { text, json: JSON.parse(text) as Record<string, unknown>, chat };
}

test('a long leading system prompt goes up as the client’s own literal, and the body means what converting it gives', () => {
  const raw = rawBody([
    { role: 'system', content: LONG },
    { role: 'user', content: 'hi' },
  ]);
  const { text, json, chat } = sent(raw);
  assert.equal(chat.system?.text, LONG.replace(/Rule/g, 'R/ule'));
  assert.deepEqual(json, uncached(raw));
  assert.ok(text.startsWith('{"system":"R\\/ule 0: say \\"ok\\", \\u00fcn'), 'the client’s escapes, as it wrote them');
  assert.ok(!text.includes('ünïcode'), 'not serialised again');
});

test('a system prompt the conversion changes, a short one, a later one or one in parts is serialised as usual', () => {
  const cases: [string, unknown[]][] = [
    [
      'two system messages (joined)',
      [
        { role: 'system', content: LONG },
        { role: 'system', content: 'and more' },
        { role: 'user', content: 'hi' },
      ],
    ],
    [
      'short',
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'x'.repeat(2000) },
      ],
    ],
    [
      'not the first message',
      [
        { role: 'user', content: 'hi' },
        { role: 'system', content: LONG },
      ],
    ],
    [
      'content parts',
      [
        { role: 'system', content: [{ type: 'text', text: LONG }] },
        { role: 'user', content: 'hi' },
      ],
    ],
    [
      'developer role',
      [
        { role: 'developer', content: LONG },
        { role: 'user', content: 'hi' },
      ],
    ],
  ];
  for (const [name, messages] of cases) {
    const raw = rawBody(messages);
    const { text, json } = sent(raw);
    assert.deepEqual(json, uncached(raw), name);
    assert.ok(!text.includes('R\\/ule'), `${name}: serialised by JSON.stringify`);
  }
});

test('a system prompt changed on the request object after the read (a rewrite) is the one sent; the object keeps its fields', () => {
  const raw = rawBody([
    { role: 'system', content: LONG },
    { role: 'user', content: 'hi' },
  ]);
  const chat = readChatBody(raw, claude);
  assert.ok(chat.system);
  const t = chatToMessages(chat.body, chat.tools);
  t.request.system = 'rewritten';
  assert.equal((JSON.parse(anthropicBody(t.request, chat).toString('utf8')) as { system: string }).system, 'rewritten');
  t.request.system = chat.system.text;
  anthropicBody(t.request, chat);
  assert.equal(t.request.system, chat.system.text);
  assert.ok(!('tools' in t.request), 'no tools field appears on a request without tools');
});

test('other models get no literal; a body the scan refuses is parsed whole with its usual error', () => {
  const forGpt = readChatBody(
    Buffer.from(
      JSON.stringify({
        model: 'gpt-5.5',
        messages: [
          { role: 'system', content: LONG },
          { role: 'user', content: 'hi' },
        ],
      }),
    ),
    claude,
  );
  assert.equal(forGpt.system, undefined);
  const broken = Buffer.from(`{"model":"claude-sonnet-5","messages":[{"role":"system","content":"${'x'.repeat(2000)}"}],}`);
  assert.throws(
    () => readChatBody(broken, claude),
    (e: Error) => /not valid JSON/.test(e.message),
  );
});
