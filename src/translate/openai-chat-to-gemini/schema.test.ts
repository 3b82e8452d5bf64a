// Tool schemas for Gemini (§6.10 #8, PROTOCOLS 5.2): a table of JSON Schemas and what Gemini is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { geminiSchema } from './schema.js';

const cases: [string, unknown, unknown][] = [
  ['absent → empty object schema', undefined, { type: 'OBJECT', properties: {} }],
  ['an object without properties gets an empty map', { type: 'object' }, { type: 'OBJECT', properties: {} }],
  [
    'OpenAI strict mode: additionalProperties, $schema, title, default and examples dropped; types upper-cased',
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'Args',
      type: 'object',
      additionalProperties: false,
      properties: { city: { type: 'string', default: 'Paris', examples: ['Rome'], description: 'City' }, n: { type: 'integer', minimum: 1 } },
      required: ['city', 'n'],
    },
    { type: 'OBJECT', properties: { city: { type: 'STRING', description: 'City' }, n: { type: 'INTEGER', minimum: 1 } }, required: ['city', 'n'] },
  ],
  [
    'type [X, null] → nullable',
    { type: 'object', properties: { a: { type: ['string', 'null'] } } },
    { type: 'OBJECT', properties: { a: { type: 'STRING', nullable: true } } },
  ],
  [
    'anyOf with null → the one variant, nullable',
    { type: 'object', properties: { a: { anyOf: [{ type: 'number' }, { type: 'null' }] } } },
    { type: 'OBJECT', properties: { a: { type: 'NUMBER', nullable: true } } },
  ],
  ['anyOf of several variants kept', { anyOf: [{ type: 'string' }, { type: 'number' }] }, { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] }],
  [
    'const → enum; enum values as strings; unknown formats dropped, date-time kept',
    {
      type: 'object',
      properties: { k: { const: 'x' }, e: { type: 'integer', enum: [1, 2] }, u: { type: 'string', format: 'uri' }, d: { type: 'string', format: 'date-time' } },
    },
    {
      type: 'OBJECT',
      properties: { k: { enum: ['x'] }, e: { type: 'INTEGER', enum: ['1', '2'] }, u: { type: 'STRING' }, d: { type: 'STRING', format: 'date-time' } },
    },
  ],
  [
    'required names that are not properties are dropped',
    { type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'ghost'] },
    { type: 'OBJECT', properties: { a: { type: 'STRING' } }, required: ['a'] },
  ],
  [
    'arrays: items cleaned, tuple form takes the first, missing items default to strings',
    {
      type: 'object',
      properties: {
        l: { type: 'array', items: { type: 'object', properties: { x: { type: 'boolean' } }, additionalProperties: false } },
        t: { type: 'array', items: [{ type: 'number' }] },
        s: { type: 'array' },
      },
    },
    {
      type: 'OBJECT',
      properties: {
        l: { type: 'ARRAY', items: { type: 'OBJECT', properties: { x: { type: 'BOOLEAN' } } } },
        t: { type: 'ARRAY', items: { type: 'NUMBER' } },
        s: { type: 'ARRAY', items: { type: 'STRING' } },
      },
    },
  ],
  [
    'local $refs are inlined ($defs and definitions), $defs dropped',
    {
      type: 'object',
      properties: { r: { $ref: '#/$defs/X' }, d: { $ref: '#/definitions/Y' } },
      $defs: { X: { type: 'string' } },
      definitions: { Y: { type: 'number' } },
    },
    { type: 'OBJECT', properties: { r: { type: 'STRING' }, d: { type: 'NUMBER' } } },
  ],
  [
    'a reference outside $defs/definitions is dropped',
    { type: 'object', properties: { n: { $ref: 'https://x.test/s.json' } } },
    { type: 'OBJECT', properties: { n: {} } },
  ],
];

for (const [name, input, expected] of cases) test(name, () => assert.deepEqual(geminiSchema(input), expected));

test('a recursive $ref stops at the depth bound', () => {
  const out = geminiSchema({ $ref: '#/$defs/Node', $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } } });
  let depth = 0;
  for (let n: any = out; n?.properties?.next; n = n.properties.next) depth++;
  assert.ok(depth > 10 && depth <= 33, `depth ${depth}`);
});
