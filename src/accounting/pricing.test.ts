import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPricingTable, loadPricing, parsePricingJson, type ModelPrice } from './pricing.js';

const table = loadPricing();
const tmp = () => mkdtempSync(join(tmpdir(), 'crs-pricing-'));
const M = 1e-6; // USD per token = USD per MTok × 1e-6

// Bundled prices, USD per MTok, as in @pydantic/genai-prices (see pricing/README.md).
const bundled: { model: string; p: [number, number, number, number, number]; above?: [number, number, number, number, number] }[] = [
  // [input, output, cacheWrite5m, cacheWrite1h, cacheRead]
  { model: 'claude-opus-4-8', p: [5, 25, 6.25, 10, 0.5] },
  { model: 'claude-sonnet-5', p: [2, 10, 2.5, 4, 0.2] },
  { model: 'claude-sonnet-4-5', p: [3, 15, 3.75, 6, 0.3], above: [6, 22.5, 7.5, 12, 0.6] },
  { model: 'claude-sonnet-4-5-20250929', p: [3, 15, 3.75, 6, 0.3], above: [6, 22.5, 7.5, 12, 0.6] },
  { model: 'claude-haiku-4-5', p: [1, 5, 1.25, 2, 0.1] },
  { model: 'claude-haiku-4-5-20251001', p: [1, 5, 1.25, 2, 0.1] },
  { model: 'claude-opus-4-1', p: [15, 75, 18.75, 30, 1.5] },
  { model: 'claude-opus-5-5', p: [4, 20, 5, 8, 0.2] },
  // no cache prices in the data: Anthropic multipliers 1.25× / 2× / 0.1× input
  { model: 'claude-2', p: [8, 24, 10, 16, 0.8] },
  // not Anthropic, no cache-write price: writes cost the input price
  { model: 'gpt-4o', p: [2.5, 10, 2.5, 2.5, 1.25] },
  { model: 'gpt-5-codex', p: [1.25, 10, 1.25, 1.25, 0.125] },
  { model: 'o4-mini', p: [1.1, 4.4, 1.1, 1.1, 0.275] },
  { model: 'gemini-2.5-pro', p: [1.25, 10, 1.25, 1.25, 0.125], above: [2.5, 15, 2.5, 2.5, 0.25] },
];

const perMTok = (x: { input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number }) =>
  [x.input, x.output, x.cacheWrite5m, x.cacheWrite1h, x.cacheRead].map((v) => Number((v / M).toPrecision(12)));

for (const c of bundled) {
  test(`bundled price of ${c.model}`, () => {
    const hit = table.lookup(c.model);
    assert.ok(hit);
    assert.equal(hit.model, c.model);
    assert.equal(hit.fallback, false);
    assert.deepEqual(perMTok(hit.price), c.p);
    if (c.above) assert.deepEqual(perMTok(hit.price.above200k!), c.above);
    else assert.equal(hit.price.above200k, undefined);
  });
}

test('bundled table covers the ids Claude Code, Codex and Gemini CLI send, tagged by provider', () => {
  for (const id of ['claude-opus-4-8', 'claude-sonnet-5', 'claude-haiku-4-5-20251001', 'claude-sonnet-4-5', 'claude-opus-4-1']) {
    assert.equal(table.lookup(id)?.model, id);
  }
  const anthropic = table.models('anthropic');
  const openai = table.models('openai');
  const gemini = table.models('gemini');
  assert.equal(anthropic.length + openai.length + gemini.length, table.size);
  for (const id of ['gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-5', 'gpt-5-codex', 'gpt-5.1-codex-max', 'o3', 'o4-mini']) {
    assert.ok(openai.includes(id), id);
  }
  for (const id of ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-3-pro-preview']) {
    assert.ok(gemini.includes(id), id);
  }
  assert.ok(anthropic.includes('claude-sonnet-4-5-20250929'));
  assert.equal(table.models().length, table.size);
});

test('bundled JSON is LiteLLM-shaped with at most 12 significant digits', () => {
  const json = JSON.parse(readFileSync(new URL('./pricing/model-prices.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
  assert.equal(json.sample_spec, undefined);
  for (const [key, e] of Object.entries(json)) {
    assert.equal(e.mode, 'chat', key);
    assert.ok(['anthropic', 'openai', 'gemini'].includes(e.litellm_provider as string), key);
    for (const [field, v] of Object.entries(e)) {
      if (typeof v === 'number') assert.equal(v, Number(v.toPrecision(12)), `${key}.${field}`);
    }
  }
});

const lookups: { name: string; model: string; want: string | null; fallback?: boolean }[] = [
  { name: 'exact', model: 'claude-opus-4-8', want: 'claude-opus-4-8' },
  { name: 'exact dated id', model: 'claude-haiku-4-5-20251001', want: 'claude-haiku-4-5-20251001' },
  { name: 'exact OpenAI codex', model: 'gpt-5.1-codex', want: 'gpt-5.1-codex' },
  { name: 'lowercase', model: 'Claude-Sonnet-4-5', want: 'claude-sonnet-4-5' },
  { name: 'trailing [1m]', model: 'claude-sonnet-4-5[1m]', want: 'claude-sonnet-4-5' },
  { name: 'trailing [1m], dated', model: 'claude-sonnet-4-5-20250929[1m]', want: 'claude-sonnet-4-5-20250929' },
  { name: 'anthropic/ prefix', model: 'anthropic/claude-opus-4-1', want: 'claude-opus-4-1' },
  { name: 'openai/ prefix', model: 'openai/gpt-4.1', want: 'gpt-4.1' },
  { name: 'gemini/ prefix', model: 'gemini/gemini-2.5-flash', want: 'gemini-2.5-flash' },
  { name: 'models/ prefix', model: 'models/gemini-2.5-pro', want: 'gemini-2.5-pro' },
  { name: 'anthropic. + -v1:0', model: 'anthropic.claude-haiku-4-5-20251001-v1:0', want: 'claude-haiku-4-5-20251001' },
  { name: 'Bedrock us.', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', want: 'claude-sonnet-4-5-20250929' },
  { name: 'Bedrock eu.', model: 'eu.anthropic.claude-opus-4-1-20250805-v1:0', want: 'claude-opus-4-1-20250805' },
  { name: 'Bedrock apac. + -v2:0', model: 'apac.anthropic.claude-3-5-sonnet-20241022-v2:0', want: 'claude-3-5-sonnet-20241022' },
  { name: 'Bedrock global.', model: 'global.anthropic.claude-opus-4-8-v1:0', want: 'claude-opus-4-8' },
  { name: 'Bedrock :N only', model: 'anthropic.claude-v2:1', want: 'claude-v2' },
  { name: 'Vertex @date', model: 'claude-opus-4-1@20250805', want: 'claude-opus-4-1-20250805' },
  { name: 'Vertex @default', model: 'claude-sonnet-4-6@default', want: 'claude-sonnet-4-6' },
  { name: 'dotted Claude version', model: 'claude-opus-4.1', want: 'claude-opus-4-1' },
  { name: 'unknown date suffix', model: 'claude-opus-4-5-20251101', want: 'claude-opus-4-5' },
  { name: 'date suffix after prefix', model: 'anthropic/claude-sonnet-5-20260901', want: 'claude-sonnet-5' },
  { name: 'OpenAI date suffix', model: 'gpt-4.1-2099-01-01', want: 'gpt-4.1' },
  { name: '-latest', model: 'claude-3-5-sonnet-latest', want: 'claude-3-5-sonnet' },
  { name: 'family: opus', model: 'claude-opus-9', want: 'claude-opus-5-5', fallback: true },
  { name: 'family: sonnet', model: 'my-sonnet-preview', want: 'claude-sonnet-5', fallback: true },
  { name: 'family: haiku', model: 'claude-haiku-7-1', want: 'claude-haiku-4-5', fallback: true },
  { name: 'family: Bedrock spelling', model: 'us.anthropic.claude-3-opus-xyz', want: 'claude-opus-5-5', fallback: true },
  { name: 'unknown', model: 'llama-3.1-70b', want: null },
  { name: 'unknown Claude family', model: 'claude-fable-9', want: null },
  { name: 'empty', model: '', want: null },
];

for (const c of lookups) {
  test(`lookup: ${c.name} (${c.model || '""'})`, () => {
    const hit = table.lookup(c.model);
    if (c.want === null) return assert.equal(hit, null);
    assert.ok(hit, 'expected a match');
    assert.equal(hit.model, c.want);
    assert.equal(hit.fallback, c.fallback ?? false);
    assert.equal(hit.price, table.lookup(c.want)!.price);
  });
}

test('lookup results are cached per model string', () => {
  const first = table.lookup('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
  assert.ok(first);
  assert.equal(table.lookup('us.anthropic.claude-sonnet-4-5-20250929-v1:0'), first);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.price));
});

test('family fallback takes the newest version; aliases of one version prefer the shorter key', () => {
  const p = (input: number): ModelPrice => ({ input, output: 1, cacheWrite5m: 1, cacheWrite1h: 1, cacheRead: 1 });
  const t = createPricingTable(
    new Map([
      ['claude-3-opus-20240229', p(15)],
      ['claude-opus-4-1-20250805', p(14)],
      ['claude-opus-4-1', p(14)],
      ['claude-opus-4', p(13)],
      ['anthropic.claude-opus-9-v1:0', p(99)], // not a plain Anthropic id: ignored by the family rule
    ]),
  );
  assert.deepEqual(t.lookup('opus-next'), { model: 'claude-opus-4-1', price: p(14), fallback: true });
  assert.equal(t.lookup('claude-sonnet-4'), null);
});

test('parsePricingJson: skips sample_spec and entries without prices, keeps provider-prefixed keys', () => {
  const m = parsePricingJson({
    sample_spec: { input_cost_per_token: 0, output_cost_per_token: 0, litellm_provider: 'x' },
    'bedrock/us-east-1/anthropic.claude-3-haiku-20240307-v1:0': {
      input_cost_per_token: 2.5e-7,
      output_cost_per_token: 1.25e-6,
      litellm_provider: 'bedrock',
    },
    'text-embedding-3-small': { input_cost_per_token: 2e-8, litellm_provider: 'openai' },
    'dall-e-3': { output_cost_per_pixel: 1, litellm_provider: 'openai' },
    'priced-as-string': { input_cost_per_token: '0.000001', output_cost_per_token: 2e-6 },
    broken: 'not an object',
  });
  assert.deepEqual([...m.keys()], ['bedrock/us-east-1/anthropic.claude-3-haiku-20240307-v1:0']);
  // key names a Claude model: Anthropic cache multipliers
  assert.deepEqual(perMTok(m.get('bedrock/us-east-1/anthropic.claude-3-haiku-20240307-v1:0')!), [0.25, 1.25, 0.3125, 0.5, 0.025]);
});

test('parsePricingJson: derived prices, above-200k fields and limits', () => {
  const m = parsePricingJson({
    'vendor-model': {
      input_cost_per_token: 2e-6,
      output_cost_per_token: 8e-6,
      input_cost_per_token_above_200k_tokens: 4e-6,
      max_input_tokens: 1_000_000,
      max_output_tokens: 32_768,
      max_tokens: 1_000_000,
      litellm_provider: 'openai',
    },
    'sonnet-like': {
      input_cost_per_token: 3e-6,
      output_cost_per_token: 1.5e-5,
      cache_read_input_token_cost: 3e-7,
      input_cost_per_token_above_200k_tokens: 6e-6,
      output_cost_per_token_above_200k_tokens: 2.25e-5,
      litellm_provider: 'anthropic',
    },
  });
  const v = m.get('vendor-model')!;
  assert.deepEqual(perMTok(v), [2, 8, 2, 2, 2]);
  assert.deepEqual(perMTok(v.above200k!), [4, 8, 4, 4, 4]);
  assert.equal(v.maxInputTokens, 1_000_000);
  assert.equal(v.maxOutputTokens, 32_768);
  assert.equal(v.provider, 'openai');
  const s = m.get('sonnet-like')!;
  assert.deepEqual(perMTok(s), [3, 15, 3.75, 6, 0.3]);
  assert.deepEqual(perMTok(s.above200k!), [6, 22.5, 7.5, 12, 0.6]);
  assert.equal(s.cacheWrite5m, 3.75e-6); // derived without float noise
  assert.throws(() => parsePricingJson([]), /JSON object keyed by model id/);
});

test('override file replaces bundled prices and adds models', () => {
  const file = join(tmp(), 'prices.json');
  writeFileSync(
    file,
    JSON.stringify({
      'claude-sonnet-4-5': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, litellm_provider: 'anthropic' },
      'intranet-model': { input_cost_per_token: 5e-7, output_cost_per_token: 1e-6, litellm_provider: 'openai' },
    }),
  );
  const t = loadPricing({ file });
  assert.equal(t.size, table.size + 1);
  const sonnet = t.lookup('claude-sonnet-4-5-20250929[1m]');
  assert.equal(sonnet?.model, 'claude-sonnet-4-5-20250929'); // other keys keep the bundled price
  assert.deepEqual(perMTok(sonnet.price), [3, 15, 3.75, 6, 0.3]);
  const replaced = t.lookup('claude-sonnet-4-5')!;
  assert.deepEqual(perMTok(replaced.price), [1, 2, 1.25, 2, 0.1]);
  assert.equal(replaced.price.above200k, undefined, 'the whole entry is replaced');
  assert.deepEqual(perMTok(t.lookup('intranet-model')!.price), [0.5, 1, 0.5, 0.5, 0.5]);
  assert.deepEqual(perMTok(loadPricing({ file: null }).lookup('claude-sonnet-4-5')!.price), [3, 15, 3.75, 6, 0.3]);
});

const badFiles: { name: string; content: string | null; error: RegExp }[] = [
  { name: 'missing', content: null, error: /pricing file .*missing\.json cannot be read: ENOENT/ },
  { name: 'not-json', content: '{ "a": ', error: /pricing file .*not-json\.json is not valid JSON/ },
  { name: 'array', content: '[1, 2]', error: /pricing file .*array\.json must hold a JSON object keyed by model id/ },
  { name: 'no-prices', content: '{"x": {"mode": "chat"}}', error: /pricing file .*no-prices\.json has no model with numeric/ },
];

for (const c of badFiles) {
  test(`override file error: ${c.name}`, () => {
    const file = join(tmp(), `${c.name}.json`);
    if (c.content !== null) writeFileSync(file, c.content);
    assert.throws(() => loadPricing({ file }), c.error);
  });
}
