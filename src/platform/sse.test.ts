import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSseEvent, SseParser, type SseEvent } from './sse.js';

const STREAM =
  'event: message_start\ndata: {"type":"message_start","text":"héllo ✓ 😀"}\n\n' +
  ': a comment\n\n' +
  'event: ping\ndata: {"type": "ping"}\n\n' +
  'event: content_block_delta\ndata: {"a":1}\ndata: {"b":2}\n\n' +
  'data: no-event-name\nid: 7\nretry: 100\n\n';

const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"type":"message_start","text":"héllo ✓ 😀"}' },
  { event: 'ping', data: '{"type": "ping"}' },
  { event: 'content_block_delta', data: '{"a":1}\n{"b":2}' },
  { event: '', data: 'no-event-name', id: '7' },
];

function parseChunks(chunks: Uint8Array[]): SseEvent[] {
  const p = new SseParser();
  const out: SseEvent[] = [];
  for (const c of chunks) out.push(...p.push(c));
  out.push(...p.end());
  return out;
}

function split(bytes: Uint8Array, sizes: (i: number) => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length;) {
    const n = Math.max(1, sizes(i));
    chunks.push(bytes.subarray(i, i + n));
    i += n;
  }
  return chunks;
}

const cases: { name: string; text: string }[] = [
  { name: 'LF framing', text: STREAM },
  { name: 'CRLF framing', text: STREAM.replace(/\n/g, '\r\n') },
  { name: 'CR framing', text: STREAM.replace(/\n/g, '\r') },
];

for (const c of cases) {
  const bytes = new TextEncoder().encode(c.text);
  test(`${c.name}: whole buffer`, () => assert.deepEqual(parseChunks([bytes]), EXPECTED));
  test(`${c.name}: one byte at a time (splits UTF-8 and CRLF)`, () => assert.deepEqual(parseChunks(split(bytes, () => 1)), EXPECTED));
  test(`${c.name}: pseudo-random chunking`, () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 13) + 1;
    assert.deepEqual(parseChunks(split(bytes, rnd)), EXPECTED);
  });
}

test('mixed line endings in one buffer (a CR found for a later line is not skipped)', () => {
  const text = 'event: a\ndata: 1\n\nevent: b\r\ndata: 2\r\n\r\nevent: c\ndata: 3\n\nevent: d\rdata: 4\r\r';
  const expected = ['a', 'b', 'c', 'd'].map((event, i) => ({ event, data: String(i + 1) }));
  const bytes = new TextEncoder().encode(text);
  assert.deepEqual(parseChunks([bytes]), expected);
  assert.deepEqual(parseChunks(split(bytes, () => 1)), expected);
});

test('a byte order mark opening the stream is dropped (whole or split); one later is kept', () => {
  const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
  const body = new TextEncoder().encode('data: \ufeffx\n\n');
  const bytes = new Uint8Array([...bom, ...body]);
  const expected = [{ event: '', data: '\ufeffx' }];
  assert.deepEqual(parseChunks([bytes]), expected);
  assert.deepEqual(parseChunks(split(bytes, () => 1)), expected);
  assert.deepEqual(parseChunks([body]), expected);
});

test('bytes that are not UTF-8 become U+FFFD, and so does a character cut off', () => {
  const bytes = new Uint8Array([...new TextEncoder().encode('data: a'), 0xff, ...new TextEncoder().encode('b\n\ndata: c'), 0xe2, 0x9c]);
  const p = new SseParser();
  const out = p.push(bytes);
  assert.deepEqual(out, [{ event: '', data: 'a\ufffdb' }]);
  // The cut character is decoded at the end; the event it is in has no blank line, so it is dropped.
  assert.deepEqual(p.end(), []);
  // A character left unfinished by the next chunk is U+FFFD too.
  assert.deepEqual(parseChunks([new Uint8Array([...new TextEncoder().encode('data: c'), 0xe2, 0x9c]), new TextEncoder().encode('\n\n')]), [
    { event: '', data: 'c\ufffd' },
  ]);
});

test('an event without its blank line is dropped at end of stream', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('event: a\ndata: 1\n\nevent: b\ndata: 2\n'), [{ event: 'a', data: '1' }]);
  assert.deepEqual(p.end(), []);
});

test('a trailing CR at the end of the stream still ends its line', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('data: x\r\r'), [{ event: '', data: 'x' }]);
  assert.deepEqual(p.push('data: y\r'), []);
  assert.deepEqual(p.push('\r'), [{ event: '', data: 'y' }]);
});

test('formatSseEvent writes Anthropic framing and round-trips through the parser', () => {
  const s = formatSseEvent('error', { type: 'error', error: { type: 'api_error', message: 'm' } });
  assert.equal(s, 'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"m"}}\n\n');
  const multi = formatSseEvent('x', 'line1\nline2');
  assert.deepEqual(new SseParser().push(multi), [{ event: 'x', data: 'line1\nline2' }]);
});

test('wants: uninteresting events are skipped whole, in any chunking, and the rest parse as before', () => {
  const text = STREAM + 'event: content_block_delta\ndata: {"skip":1}\n\nevent: message_stop\ndata: {}\n\n';
  const bytes = new TextEncoder().encode(text);
  const wanted = new Set(['message_start', 'message_stop']);
  const expected = [...EXPECTED.filter((e) => e.event === '' || wanted.has(e.event)), { event: 'message_stop', data: '{}' }];
  for (const size of [1, 3, 7, 1000]) {
    const p = new SseParser({ wants: (e) => wanted.has(e) });
    const out: SseEvent[] = [];
    for (const c of split(bytes, () => size)) out.push(...p.push(c));
    out.push(...p.end());
    assert.deepEqual(out, expected, `chunks of ${size}`);
  }
  // CRLF framing takes the full path and gives the same events
  const crlf = new SseParser({ wants: (e) => wanted.has(e) });
  const got = [...crlf.push(text.replace(/\n/g, '\r\n')), ...crlf.end()];
  assert.deepEqual(
    got.filter((e) => e.event === '' || wanted.has(e.event)),
    expected,
  );
});

test('whole events in one chunk (the one-step path) parse as line by line does, next to every form it leaves to the lines', () => {
  const text =
    'event: a\ndata: 1\n\n' + // the usual form
    'data: 2\n\n' + // no event line
    'event: \ndata: 3\n\n' + // an empty name
    'event:b\ndata: 4\n\n' + // no space after the colon
    'event: c\ndata:5\n\n' +
    'event: d\ndata: 6\ndata: 7\n\n' + // two data lines
    'event: e\nid: 9\ndata: 8\n\n' + // another field
    'event: f\ndata: 9\r\n\r\n' + // a CR ends the event's lines
    'event: g\ndata: 10\n\n' +
    'event: i\ndata: 13\rx: y\n\n' + // a lone CR ends a line too
    ': comment\ndata: 11\n\n' +
    'data: \n\n' + // empty data
    'event: h\ndata: 12\n'; // no blank line yet
  const bytes = new TextEncoder().encode(text);
  // One byte at a time never holds a whole event, so every line goes through the line-by-line path.
  const byLine = parseChunks(split(bytes, () => 1));
  assert.deepEqual(
    byLine.map((e) => e.data),
    ['1', '2', '3', '4', '5', '6\n7', '8', '9', '10', '13', '11', ''],
  );
  assert.deepEqual(parseChunks([bytes]), byLine);
  // An event's blank line arriving in the next chunk, and a chunk ending right after an event.
  const p = new SseParser();
  assert.deepEqual(p.push('event: a\ndata: 1\n'), []);
  assert.deepEqual(p.push('\nevent: b\ndata: 2\n\n'), [
    { event: 'a', data: '1' },
    { event: 'b', data: '2' },
  ]);
});
