import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyUsage, type Usage } from '../core/usage.js';
import { computeCost, costNanosOf, LONG_CONTEXT_THRESHOLD } from './cost.js';
import { loadPricing, type ModelPrice } from './pricing.js';

const table = loadPricing();
const price = (model: string): ModelPrice => {
  const hit = table.lookup(model);
  assert.ok(hit && !hit.fallback, `${model} is in the bundled table`);
  return hit.price;
};
const usage = (u: Partial<Usage>): Usage => ({ ...emptyUsage(), ...u });

// Bundled USD/MTok: Sonnet 4.5 $3 / $15 / 5m $3.75 / 1h $6 / read $0.30; above 200k $6 / $22.5 / $7.5 / $12 / $0.6.
// Opus 4.8 $5 / $25 / $6.25 / $10 / $0.50, flat. Haiku 4.5 $1 / $5 / $1.25 / $2 / $0.10. Gemini 2.5 Pro $1.25 / $10,
// above 200k $2.5 / $15. 1 token at $1/MTok = 1 000 nano-USD.
const cases: {
  name: string;
  model: string;
  usage: Partial<Usage>;
  nanos: Partial<Record<keyof Usage, number>>;
  longContext: boolean;
}[] = [
  {
    name: 'plain input and output',
    model: 'claude-sonnet-4-5',
    usage: { input: 1000, output: 500 },
    nanos: { input: 3_000_000, output: 7_500_000 },
    longContext: false,
  },
  {
    name: '5m and 1h cache writes are priced differently',
    model: 'claude-sonnet-4-5',
    usage: { cacheWrite5m: 10_000, cacheWrite1h: 10_000 },
    nanos: { cacheWrite5m: 37_500_000, cacheWrite1h: 60_000_000 },
    longContext: false,
  },
  {
    name: 'cache reads',
    model: 'claude-haiku-4-5',
    usage: { input: 10, cacheRead: 100_000, output: 20 },
    nanos: { input: 10_000, cacheRead: 10_000_000, output: 100_000 },
    longContext: false,
  },
  {
    name: 'prompt of exactly 200 000 tokens: base prices',
    model: 'claude-sonnet-4-5',
    usage: { input: 150_000, cacheRead: 50_000, output: 1000 },
    nanos: { input: 450_000_000, cacheRead: 15_000_000, output: 15_000_000 },
    longContext: false,
  },
  {
    name: 'prompt of 200 001 tokens: every token type at the above-200k price',
    model: 'claude-sonnet-4-5',
    usage: { input: 150_001, cacheRead: 50_000, output: 1000 },
    nanos: { input: 900_006_000, cacheRead: 30_000_000, output: 22_500_000 },
    longContext: true,
  },
  {
    name: 'cache writes count towards the 200k prompt',
    model: 'claude-sonnet-4-5',
    usage: { input: 1, cacheWrite5m: 100_000, cacheWrite1h: 100_000 },
    nanos: { input: 6000, cacheWrite5m: 750_000_000, cacheWrite1h: 1_200_000_000 },
    longContext: true,
  },
  {
    name: 'model without above-200k prices stays flat',
    model: 'claude-opus-4-8',
    usage: { input: 500_000, cacheRead: 300_000, output: 2000 },
    nanos: { input: 2_500_000_000, cacheRead: 150_000_000, output: 50_000_000 },
    longContext: false,
  },
  {
    name: 'Gemini long context',
    model: 'gemini-2.5-pro',
    usage: { input: 300_000, output: 1000 },
    nanos: { input: 750_000_000, output: 15_000_000 },
    longContext: true,
  },
  {
    name: 'large token counts round exactly',
    model: 'claude-haiku-4-5', // $0.10/MTok is not a binary fraction
    usage: { cacheRead: 1_234_567_891, output: 987_654_321 },
    nanos: { cacheRead: 123_456_789_100, output: 4_938_271_605_000 },
    longContext: false, // no above-200k prices
  },
  {
    name: 'cheap cache reads',
    model: 'gpt-5-nano', // cache read $0.005/MTok = 5 nano-USD per token; input $0.05
    usage: { cacheRead: 1_000_001, input: 3 },
    nanos: { cacheRead: 5_000_005, input: 150 },
    longContext: false,
  },
];

for (const c of cases) {
  test(`computeCost: ${c.name}`, () => {
    const cost = computeCost(usage(c.usage), price(c.model));
    const want = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, ...c.nanos };
    assert.deepEqual(Object.fromEntries(cost.lines.map((l) => [l.tokenType, l.costNanos])), want);
    assert.equal(
      cost.costNanos,
      Object.values(want).reduce((a, b) => a + b, 0),
    );
    assert.equal(cost.longContext, c.longContext);
    assert.ok(cost.lines.every((l) => Number.isInteger(l.costNanos)));
    assert.equal(costNanosOf(usage(c.usage), price(c.model)), cost.costNanos, 'the sum alone, as the recorder prices');
  });
}

test('cost lines carry the tokens and the USD/MTok price applied', () => {
  const cost = computeCost(usage({ input: 200_001, output: 3, cacheWrite1h: 7 }), price('claude-sonnet-4-5'));
  assert.deepEqual(cost.lines, [
    { tokenType: 'input', tokens: 200_001, usdPerMTok: 6, costNanos: 1_200_006_000 },
    { tokenType: 'output', tokens: 3, usdPerMTok: 22.5, costNanos: 67_500 },
    { tokenType: 'cacheWrite5m', tokens: 0, usdPerMTok: 7.5, costNanos: 0 },
    { tokenType: 'cacheWrite1h', tokens: 7, usdPerMTok: 12, costNanos: 84_000 },
    { tokenType: 'cacheRead', tokens: 0, usdPerMTok: 0.6, costNanos: 0 },
  ]);
  assert.equal(cost.costNanos, 1_200_157_500);
  assert.equal(LONG_CONTEXT_THRESHOLD, 200_000);
});

test('each line rounds to whole nano-USD on its own', () => {
  // $0.15/GTok: 0.15 nano-USD per token
  const p: ModelPrice = { input: 1.5e-10, output: 1.5e-10, cacheWrite5m: 1.5e-10, cacheWrite1h: 1.5e-10, cacheRead: 1.5e-10 };
  const cost = computeCost(usage({ input: 3, output: 7, cacheRead: 10 }), p);
  assert.deepEqual(
    cost.lines.map((l) => [l.usdPerMTok, l.costNanos]),
    [
      [0.00015, 0],
      [0.00015, 1],
      [0.00015, 0],
      [0.00015, 0],
      [0.00015, 2],
    ], // 0.45→0, 1.05→1, 1.5→2
  );
  assert.equal(cost.costNanos, 3);
});

test('zero usage costs nothing', () => {
  const cost = computeCost(emptyUsage(), price('claude-opus-4-8'));
  assert.equal(cost.costNanos, 0);
  assert.equal(cost.lines.length, 5);
});

test('every bundled price × large counts matches exact integer arithmetic', () => {
  const counts = [1, 7, 999_999, 123_456_789, 4_000_000_001];
  for (const model of table.models()) {
    const p = table.lookup(model)!.price;
    for (const n of counts) {
      const cost = computeCost(usage({ output: n, cacheRead: n }), p);
      for (const line of cost.lines.filter((l) => l.tokens > 0)) {
        // exact: tokens × (nano-USD per MTok) / 1e6, rounded half up
        const nanosPerMTok = BigInt(Math.round(line.usdPerMTok * 1e9));
        const exact = (BigInt(n) * nanosPerMTok + 500_000n) / 1_000_000n;
        assert.equal(BigInt(line.costNanos), exact, `${model} ${line.tokenType} × ${n}`);
      }
    }
  }
});

test('costNanosOf is computeCost’s sum for every bundled price, short and long prompts', () => {
  const shapes = [
    { input: 1 },
    { output: 4_000_000_001, cacheRead: 7 },
    { input: 150_000, cacheWrite5m: 60_000, cacheWrite1h: 3, output: 999 },
    { input: 201_000, output: 5 },
  ];
  for (const model of table.models()) {
    const p = table.lookup(model)!.price;
    for (const u of shapes) assert.equal(costNanosOf(usage(u), p), computeCost(usage(u), p).costNanos, `${model} ${JSON.stringify(u)}`);
  }
});
