// Model price table: the bundled LiteLLM-format JSON, an optional override file, and cached name lookup.
import { readFileSync } from 'node:fs';
import { claudeFamilyOf, nameCandidates, newestPerFamily } from './model-names.js';

/** Per-token prices in USD for one price level. */
export interface TokenPrices {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

/** Per-token USD prices of one model; `above200k` applies when the prompt exceeds 200 000 tokens. */
export interface ModelPrice extends TokenPrices {
  above200k?: TokenPrices;
  maxInputTokens?: number;
  maxOutputTokens?: number;
  provider?: string;
}

/** A lookup result: the table key that matched and its price. */
export interface PriceMatch {
  /** Key of the table entry used. */
  model: string;
  price: ModelPrice;
  /** True when found by the Claude family rule (newest model of the family) rather than by name. */
  fallback: boolean;
}

export interface PricingTable {
  /** Price for a model name as clients send it; null when neither a name rule nor the family rule finds one. */
  lookup(model: string): PriceMatch | null;
  /** Table keys, optionally only those whose `litellm_provider` equals `provider`. */
  models(provider?: string): string[];
  size: number;
}

/** Lookup results kept per distinct model string; cleared when full so arbitrary client names cannot grow it. */
const LOOKUP_CACHE_LIMIT = 10_000;

const BUNDLED_URL = new URL('./pricing/model-prices.json', import.meta.url);

/**
 * Reads a LiteLLM `model_prices_and_context_window.json` object. Tolerant: entries without numeric
 * `input_cost_per_token` and `output_cost_per_token` (and LiteLLM's `sample_spec`) are skipped; keys are
 * kept as written, provider-prefixed ones included.
 *
 * Missing cache prices are derived. Claude models (key contains "claude" or provider contains "anthropic"), per
 * Anthropic's multipliers: 5-minute write 1.25 × input, 1-hour write 2 × input, read 0.1 × input. Other models:
 * cache writes and reads cost the input price. The same rules fill missing `*_above_200k_tokens` fields from the
 * above-200k input price (a missing above-200k output price keeps the base output price).
 */
export function parsePricingJson(json: unknown): Map<string, ModelPrice> {
  if (!isRecord(json)) throw new TypeError('pricing data must be a JSON object keyed by model id');
  const out = new Map<string, ModelPrice>();
  for (const [key, raw] of Object.entries(json)) {
    if (key === 'sample_spec' || !isRecord(raw)) continue;
    const price = parseEntry(key, raw);
    if (price) out.set(key, price);
  }
  return out;
}

function parseEntry(key: string, e: Record<string, unknown>): ModelPrice | null {
  const input = num(e.input_cost_per_token);
  const output = num(e.output_cost_per_token);
  if (input === undefined || output === undefined) return null;
  const provider = typeof e.litellm_provider === 'string' ? e.litellm_provider : undefined;
  const claude = /claude/i.test(key) || /anthropic/i.test(provider ?? '');
  const price: ModelPrice = {
    ...levelPrices(claude, input, output, {
      w5: num(e.cache_creation_input_token_cost),
      w1: num(e.cache_creation_input_token_cost_above_1hr),
      read: num(e.cache_read_input_token_cost),
    }),
  };
  const inputAbove = num(e.input_cost_per_token_above_200k_tokens);
  if (inputAbove !== undefined) {
    price.above200k = Object.freeze(
      levelPrices(claude, inputAbove, num(e.output_cost_per_token_above_200k_tokens) ?? output, {
        w5: num(e.cache_creation_input_token_cost_above_200k_tokens),
        w1: num(e.cache_creation_input_token_cost_above_1hr_above_200k_tokens),
        read: num(e.cache_read_input_token_cost_above_200k_tokens),
      }),
    );
  }
  const maxInput = num(e.max_input_tokens);
  // LiteLLM's `max_tokens` is legacy and sometimes holds the input limit, so only `max_output_tokens` counts.
  const maxOutput = num(e.max_output_tokens);
  if (maxInput !== undefined) price.maxInputTokens = maxInput;
  if (maxOutput !== undefined) price.maxOutputTokens = maxOutput;
  if (provider !== undefined) price.provider = provider;
  return Object.freeze(price);
}

function levelPrices(claude: boolean, input: number, output: number, cache: { w5?: number; w1?: number; read?: number }): TokenPrices {
  return {
    input,
    output,
    cacheWrite5m: cache.w5 ?? (claude ? round12(input * 1.25) : input),
    cacheWrite1h: cache.w1 ?? (claude ? round12(input * 2) : input),
    cacheRead: cache.read ?? (claude ? round12(input * 0.1) : input),
  };
}

/**
 * The bundled table, extended and overridden by the entries of `file` (same format; an entry there replaces
 * the bundled entry of that key as a whole). Throws an Error naming the file when it cannot be read, is not
 * JSON, is not an object, or has no usable entry.
 */
export function loadPricing(opts: { file?: string | null } = {}): PricingTable {
  const entries = parsePricingJson(JSON.parse(readFileSync(BUNDLED_URL, 'utf8')));
  if (opts.file) {
    for (const [key, price] of readPricingFile(opts.file)) entries.set(key, price);
  }
  return createPricingTable(entries);
}

function readPricingFile(file: string): Map<string, ModelPrice> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`pricing file ${file} cannot be read: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`pricing file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isRecord(json)) {
    throw new Error(`pricing file ${file} must hold a JSON object keyed by model id (LiteLLM format)`);
  }
  const entries = parsePricingJson(json);
  if (entries.size === 0) {
    throw new Error(`pricing file ${file} has no model with numeric input_cost_per_token and output_cost_per_token`);
  }
  return entries;
}

/** A table over `entries` (not copied; do not mutate afterwards). Lookups are cached per model string. */
export function createPricingTable(entries: Map<string, ModelPrice>): PricingTable {
  const byLower = new Map<string, string>();
  for (const key of entries.keys()) {
    const lower = key.toLowerCase();
    // An all-lowercase key wins over a differently cased duplicate.
    if (!byLower.has(lower) || key === lower) byLower.set(lower, key);
  }
  const newest = newestPerFamily(entries.keys());
  const cache = new Map<string, PriceMatch | null>();

  const resolve = (model: string): PriceMatch | null => {
    for (const name of nameCandidates(model)) {
      const key = entries.has(name) ? name : byLower.get(name);
      if (key !== undefined) return Object.freeze({ model: key, price: entries.get(key)!, fallback: false });
    }
    const family = claudeFamilyOf(model);
    const key = family ? newest.get(family) : undefined;
    return key === undefined ? null : Object.freeze({ model: key, price: entries.get(key)!, fallback: true });
  };

  return {
    size: entries.size,
    lookup(model: string): PriceMatch | null {
      const hit = cache.get(model);
      if (hit !== undefined) return hit;
      const found = resolve(model);
      if (cache.size >= LOOKUP_CACHE_LIMIT) cache.clear();
      cache.set(model, found);
      return found;
    },
    models(provider?: string): string[] {
      const keys = [...entries.keys()];
      return provider === undefined ? keys : keys.filter((k) => entries.get(k)!.provider === provider);
    },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Rounds to 12 significant digits, dropping the float noise of derived prices (3e-6 × 1.25). */
function round12(x: number): number {
  return Number(x.toPrecision(12));
}
