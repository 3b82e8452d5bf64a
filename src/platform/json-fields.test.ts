import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { firstElement, JsonFields, scanObject, tryParseJson } from './json-fields.js';

const parses = (s: string): boolean => {
  try {
    const v = JSON.parse(s);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
};

/** JSON text with random whitespace between tokens (JSON.stringify's indent puts it only in some places). */
const spaced = (v: unknown, ws: string): string => {
  if (Array.isArray(v)) return `[${ws}${v.map((x) => spaced(x, ws)).join(`${ws},${ws}`)}${ws}]`;
  if (v && typeof v === 'object')
    return `{${ws}${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}${ws}:${ws}${spaced(x, ws)}`)
      .join(`${ws},${ws}`)}${ws}}`;
  return JSON.stringify(v);
};

test('every field of any JSON object is found where JSON.parse puts it', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.constantFrom('', ' ', '\n', '\t \r\n'), (obj, ws) => {
      const text = spaced(obj, ws);
      const f = JsonFields.scan(Buffer.from(ws + text + ws));
      assert.ok(f, text);
      const expected = JSON.parse(text) as Record<string, unknown>;
      for (const k of Object.keys(expected)) assert.deepEqual(f.get(k), expected[k]);
      assert.deepEqual({ ...f.view() }, expected);
      assert.deepEqual(f.object(), expected);
    }),
    { numRuns: 300 },
  );
});

test('a field reads as JSON.parse reads it: plain and escaped strings, multi-byte text, literals; a raw control character is a 400', () => {
  const values = [
    'claude-sonnet-5',
    '',
    'a\\b',
    'line\nbreak',
    'tab\there',
    'quote"d',
    'é中文😀',
    'x'.repeat(300),
    'y'.repeat(256),
    'z'.repeat(257),
    'del\u007f',
    true,
    false,
    null,
    0,
    -1.5e3,
  ];
  const text = `{${values.map((v, i) => `"f${i}":${JSON.stringify(v)}`).join(',')},"u":"\\u00e9\\ud83d\\ude00"}`;
  const f = JsonFields.scan(Buffer.from(text))!;
  values.forEach((v, i) => assert.deepEqual(f.get(`f${i}`), v, `f${i}`));
  assert.equal(f.get('u'), 'é😀');
  // Invalid UTF-8 decodes as JSON.parse of the decoded text would have it (U+FFFD).
  const bad = Buffer.concat([Buffer.from('{"m":"a'), Buffer.from([0xff]), Buffer.from('b"}')]);
  assert.equal(JsonFields.scan(bad)!.get('m'), JSON.parse(bad.toString('utf8')).m);
  const cut = Buffer.concat([Buffer.from('{"m":"a'), Buffer.from([0xe4, 0xb8]), Buffer.from('"}')]);
  assert.equal(JsonFields.scan(cut)!.get('m'), JSON.parse(cut.toString('utf8')).m);
  // The scan leaves string contents to JSON.parse, which refuses a raw control character.
  const raw = JsonFields.scan(Buffer.from('{"model":"a\u0001b","stream":true}'))!;
  assert.equal(raw.get('stream'), true);
  assert.throws(
    () => raw.get('model'),
    (e: Error & { code?: string }) => e.code === 'BAD_JSON',
  );
});

test("a view shows the body's fields and nothing of the reader behind it", () => {
  const body = { model: 'm', raw: 1, ranges: [2], parsed: { p: 3 }, get: 'g' };
  const view = JsonFields.scan(Buffer.from(JSON.stringify(body)))!.view();
  assert.deepEqual({ ...view }, body);
  assert.deepEqual(Object.keys(view), Object.keys(body));
  assert.equal(view.get, 'g');
  assert.ok('model' in view && 'raw' in view);
  const small = JsonFields.scan(Buffer.from('{"model":"m"}'))!.view();
  assert.deepEqual(Object.keys(small), ['model']);
  for (const own of ['raw', 'ranges', 'parsed', 'whole', 'get', 'view']) {
    assert.equal(small[own], undefined, own);
    assert.ok(!(own in small), own);
  }
});

test('the scan accepts exactly what JSON.parse accepts as an object, over bodies of structural characters', () => {
  // No backslashes or control characters: string contents are the one thing the scan leaves to the upstream.
  const piece = fc.constantFrom(
    '{',
    '}',
    '[',
    ']',
    '"',
    ':',
    ',',
    ' ',
    'a',
    '1',
    '-',
    '.',
    'e',
    'true',
    'null',
    'false',
    'tru',
    '01',
    '"k"',
    '"k":',
    '0',
    '9',
    'E',
    '+',
    'x',
    '"a string longer than twenty-four bytes"',
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 24 }), (parts) => {
      const s = parts.join('');
      assert.equal(scanObject(Buffer.from(s)) !== null, parses(s), s);
    }),
    { numRuns: 8000 },
  );
  for (const s of [
    '{"a":1}',
    '{"a":[1,{"b":[]}],"c":{}}',
    ' {} ',
    '{"a":-0.5e+3}',
    '{"a":0,"b":1E-2,"c":[true,false,null]}',
    '{"long key with more than 24 bytes \\" in it":"and a value with more than 24 bytes \\\\"}',
  ])
    assert.ok(scanObject(Buffer.from(s)), s);
  for (const s of ['', '[]', '{"a":1,}', '{"a":[1,]}', '{"a":1}}', '{"a" 1}', '{a:1}', '{"a":01}', '{"a":tru}', '{"a":"x}', '{"a":1} x']) {
    assert.equal(scanObject(Buffer.from(s)), null, s);
  }
});

test('escaped quotes and keys, duplicate keys (the last wins) and multi-byte text', () => {
  const raw = Buffer.from('{"a\\"b":"x\\\\","s":"he said \\"hi\\" \\\\","s":"später ✓","n":{"m":"\\\\\\""}}');
  const f = JsonFields.scan(raw)!;
  assert.ok(f);
  assert.equal(f.get('a"b'), 'x\\');
  assert.equal(f.get('s'), 'später ✓');
  assert.deepEqual(f.get('n'), { m: '\\"' });
  assert.equal(f.get('absent'), undefined);
  assert.deepEqual(f.object(), JSON.parse(raw.toString()));
});

test('a bad escape the scan lets through is a BAD_JSON refusal when the field is read, not a crash', () => {
  const f = JsonFields.scan(Buffer.from('{"model":"claude\\x","messages":[]}'))!;
  assert.ok(f, 'the scan does not check escapes');
  assert.throws(
    () => f.get('model'),
    (e: Error & { code?: string }) => e.code === 'BAD_JSON',
  );
  assert.throws(
    () => f.object(),
    (e: Error & { code?: string }) => e.code === 'BAD_JSON',
  );
  assert.deepEqual(f.get('messages'), []);
});

test('short fields are parsed once; a long one (a conversation) is parsed on each read, so an open request does not keep it', () => {
  const messages = [{ role: 'user', content: 'x'.repeat(5000) }];
  const f = JsonFields.scan(Buffer.from(JSON.stringify({ metadata: { user_id: 'u' }, messages })))!;
  assert.equal(f.get('metadata'), f.get('metadata'), 'the same parsed object');
  const first = f.get('messages');
  assert.deepEqual(first, messages);
  assert.notEqual(f.get('messages'), first, 'parsed again, not kept');
  assert.deepEqual(f.get('messages'), messages);
});

test('firstElement: the first value of an array, without its whitespace; null when empty, malformed or not an array', () => {
  const at = (s: string, i = 0) => {
    const r = firstElement(Buffer.from(s), i);
    return r && s.slice(r[0], r[1]);
  };
  assert.equal(at('[ {"a":[1,"]"]} , 2]'), '{"a":[1,"]"]}');
  assert.equal(at('{"m":["x"]}', 5), '"x"');
  assert.equal(at('[ ]'), null);
  assert.equal(at('[{"a":}]'), null);
  assert.equal(at('{"a":1}'), null);
});

test('a tools array seen before is recognised by its bytes: the same ranges as a full walk, next to arrays it is a prefix of or differs from', () => {
  const tool = (i: number) => ({ name: `tool_${i}`, description: 'x'.repeat(60), input_schema: { type: 'object', properties: { p: { type: 'string' } } } });
  const known = JSON.stringify(Array.from({ length: 12 }, (_, i) => tool(i)));
  const longer = JSON.stringify(Array.from({ length: 13 }, (_, i) => tool(i)));
  // [tools text, what precedes it, what follows it]
  const bodies: [string, string, string][] = [
    [known, '{"model":"m","tools":', ',"stream":true}'],
    [known, '{"model":"m","tools":', ',"stream":true}'], // seen: one compare
    [known, '{"tools":', '}'],
    [known, '{"tools":', ' ,"x":[1]}'],
    [longer, '{"tools":', ',"a":1}'], // starts with the known bytes less its ']'
    [known.replace('tool_11', 'tool_99'), '{"tools":', ',"a":1}'], // as long, different
    [known.replace('tool_11', 'tool_1'), '{"tools":', ' ,"a":1}'], // one byte shorter: the known length ends on the ','
    [known, '{"tools":', '1,"a":1}'], // the known bytes, then more: malformed, as without the memory
    [known.slice(0, -1), '{"tools":', '}'], // cut short
    [known, '{"tools":', ''], // no closing brace
  ];
  for (const round of [1, 2])
    for (const [tools, before, after] of bodies) {
      const body = before + tools + after;
      const got = scanObject(Buffer.from(body));
      if (!parses(body)) {
        assert.equal(got, null, body.slice(-40));
        continue;
      }
      assert.ok(got, `round ${round}`);
      const [s, e] = got.get('tools')!;
      assert.equal(body.slice(s, e), tools, `round ${round}: ${after}`);
      const expected = JSON.parse(body) as Record<string, unknown>;
      for (const [k, [s, e]] of got) assert.deepEqual(JSON.parse(body.slice(s, e)), expected[k], `round ${round}: ${k}`);
    }
});

test('tryParseJson: the value, or undefined for text that is not JSON', () => {
  assert.deepEqual(tryParseJson('{"a":[1,null]}'), { a: [1, null] });
  assert.equal(tryParseJson('null'), null);
  assert.equal(tryParseJson(''), undefined);
  assert.equal(tryParseJson('{"a":'), undefined);
});

test('keys the scan knows by name and keys that only look like them are told apart', () => {
  const body = { model: 1, modem: 2, mode: 3, models: 4, stream: 5, stream_x: 6, n: 7, m: 8, méta: 9, tools: 10, toolz: 11 };
  const f = JsonFields.scan(Buffer.from(JSON.stringify(body)))!;
  for (const [k, v] of Object.entries(body)) assert.equal(f.get(k), v, k);
  assert.deepEqual(f.keys(), Object.keys(body));
});
