import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RelayError } from '../../../core/errors.js';
import { chatToMessages, convertTools, TranslateError } from '../../../translate/openai-chat-to-anthropic/index.js';
import { parseJsonObject } from '../../request-body.js';
import { anthropicBody, readChatBody } from './chat-body.js';
import { toolsCacheSize } from './chat-tools.js';

const claude = (m: string) => m.startsWith('claude-');

/** `n` function tools of ~200 bytes each, named `${prefix}${i}`. */
function tools(n: number, prefix = 'tool_') {
  return Array.from({ length: n }, (_, i) => ({
    type: 'function',
    function: {
      name: `${prefix}${i}`,
      description: `Tool ${i}: reads a file and reports what it finds there, line by line.`,
      parameters: { type: 'object', properties: { path: { type: 'string' }, limit: { type: 'integer' } }, required: ['path'] },
    },
  }));
}

function chatBody(extra: Record<string, unknown> = {}, list: unknown = tools(12)): Buffer {
  return Buffer.from(
    JSON.stringify({
      model: 'claude-sonnet-5',
      stream: true,
      messages: [
        { role: 'system', content: 'Be brief. Ünïcode ✓' },
        { role: 'user', content: 'hi' },
      ],
      tools: list,
      tool_choice: 'required',
      parallel_tool_calls: false,
      ...extra,
    }),
  );
}

/** Reads a body the second time: a tools array is cached from its second sighting on. */
function read2(raw: Buffer) {
  readChatBody(raw, claude);
  return readChatBody(raw, claude);
}

/** The Anthropic request the uncached path builds from the same bytes. */
const uncached = (raw: Buffer) => chatToMessages(parseJsonObject(raw)).request;

test('a Claude request’s tools come converted: the Anthropic body is what converting the whole body gives', () => {
  const raw = chatBody();
  const chat = read2(raw);
  const { body, tools: converted } = chat;
  assert.ok(converted, 'tools of a few KB are taken from the cache');
  assert.equal(body.tools, null, 'the body is parsed without its tools');
  assert.deepEqual(converted.list, convertTools(JSON.parse(raw.toString()).tools));
  const t = chatToMessages(body, converted);
  const sent = JSON.parse(anthropicBody(t.request, chat).toString('utf8')) as Record<string, unknown>;
  assert.deepEqual(sent, uncached(raw));
  assert.deepEqual(sent.tool_choice, { type: 'any', disable_parallel_tool_use: true }, 'tool_choice still sees the tools');
  assert.equal(t.request.tools, converted.list, 'the request object keeps its tools for a later rewrite');
  assert.throws(
    () => {
      (converted.list![0].input_schema as Record<string, unknown>).type = 'changed';
    },
    TypeError,
    'shared by every request with these bytes: frozen',
  );
});

test('the same tools bytes in another request hit the cache; other tools of the same length do not', () => {
  const first = read2(chatBody()).tools!;
  const size = toolsCacheSize();
  const again = readChatBody(chatBody({ messages: [{ role: 'user', content: 'another turn' }] }), claude).tools!;
  assert.equal(again.list, first.list, 'one conversion for one tools array');
  assert.deepEqual(toolsCacheSize(), size);
  // Same length, one name differs ('tool_7' → 'toolX7'): whatever the fingerprint samples, the bytes decide.
  const other = tools(12).map((t, i) => (i === 7 ? { ...t, function: { ...t.function, name: 'toolX7' } } : t));
  assert.equal(JSON.stringify(other).length, JSON.stringify(tools(12)).length);
  const converted = read2(chatBody({}, other)).tools!;
  assert.equal((converted.list![7] as { name: string }).name, 'toolX7');
  assert.equal((first.list![7] as { name: string }).name, 'tool_7');
  assert.equal(toolsCacheSize().entries, size.entries + 1);
});

test('a tools array seen once is converted with the whole body; from its second request on it comes from the cache', () => {
  const raw = chatBody({}, tools(9, 'once_'));
  const size = toolsCacheSize();
  const first = readChatBody(raw, claude);
  assert.equal(first.tools, undefined);
  assert.deepEqual(first.body.tools, tools(9, 'once_'));
  assert.deepEqual(toolsCacheSize(), size, 'nothing kept for a one-off array');
  const second = readChatBody(raw, claude);
  assert.ok(second.tools);
  assert.equal(toolsCacheSize().entries, size.entries + 1);
  assert.equal(readChatBody(raw, claude).tools!.list, second.tools.list);
  // Tools that change with every request (here one character, the length kept) are never taken for a second sighting.
  for (const tick of ['tick1_', 'tick2_', 'tick3_']) assert.equal(readChatBody(chatBody({}, tools(9, tick)), claude).tools, undefined, tick);
});

test('the cache keeps its own copy of the bytes: a reused request buffer cannot change an entry', () => {
  const raw = chatBody({}, tools(10, 'copy_'));
  const before = read2(raw).tools!;
  raw.write('XXXX', raw.indexOf('copy_3') + 2, 'latin1'); // the client's buffer changes after the request
  const fresh = readChatBody(chatBody({}, tools(10, 'copy_')), claude).tools!;
  assert.equal(fresh.list, before.list);
  assert.equal((fresh.list![3] as { name: string }).name, 'copy_3');
});

test('other models, small tools and bodies without tools are parsed whole, tools included', () => {
  const forGpt = readChatBody(chatBody({ model: 'gpt-5.5' }), claude);
  assert.equal(forGpt.tools, undefined);
  assert.deepEqual(forGpt.body.tools, tools(12));
  const small = readChatBody(chatBody({}, tools(1)), claude);
  assert.equal(small.tools, undefined);
  assert.deepEqual(small.body.tools, tools(1));
  const none = readChatBody(chatBody({ tools: undefined, tool_choice: undefined, messages: [{ role: 'user', content: 'x'.repeat(4000) }] }), claude);
  assert.equal(none.tools, undefined);
});

test('errors keep their order and text: a bad field before tools, tools that do not convert, JSON the scan lets through', () => {
  // n is checked before tools, with the tools from the cache as without.
  const withN = read2(chatBody({ n: 2 }));
  assert.ok(withN.tools);
  assert.throws(
    () => chatToMessages(withN.body, withN.tools),
    (e: unknown) => e instanceof TranslateError && e.param === 'n',
  );
  // Tools that do not convert are not cached: the whole body goes to chatToMessages, which names the tool.
  const bad = [...tools(12), { type: 'retrieval' }];
  const read = read2(chatBody({}, bad));
  assert.equal(read.tools, undefined);
  assert.throws(
    () => chatToMessages(read.body, read.tools),
    (e: unknown) => e instanceof TranslateError && e.param === 'tools[12].type',
  );
  // A bad escape in a message passes the scan; the client gets JSON.parse's own message for the whole body.
  const raw = Buffer.from(chatBody().toString('utf8').replace('"hi"', '"h\\xi"'));
  const expected = (() => {
    try {
      parseJsonObject(raw);
    } catch (e) {
      return (e as Error).message;
    }
  })();
  assert.ok(expected?.startsWith('Request body is not valid JSON'));
  assert.throws(
    () => readChatBody(raw, claude),
    (e: unknown) => e instanceof RelayError && e.message === expected,
  );
});

test('the cache is bounded: at most 256 tools arrays', () => {
  for (let i = 0; i < 300; i++) read2(chatBody({}, tools(8, `bound${i}_`)));
  const { entries, bytes } = toolsCacheSize();
  assert.equal(entries, 256);
  assert.ok(bytes > 256 * 1024 && bytes < 16 * 1024 * 1024, `bytes ${bytes}`);
  // The most recent ones are the ones kept.
  const kept = readChatBody(chatBody({}, tools(8, 'bound299_')), claude).tools!;
  assert.equal(readChatBody(chatBody({}, tools(8, 'bound299_')), claude).tools!.list, kept.list);
  assert.equal(toolsCacheSize().entries, 256);
});
