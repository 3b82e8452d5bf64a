// Cost of one request: a pure function of Usage × ModelPrice, in integer nano-USD.
import { NANOS_PER_USD } from '../core/money.js';
import { promptTokens, type Usage } from '../core/usage.js';
import type { ModelPrice, TokenPrices } from './pricing.js';

/** Prompts above this many tokens (input + all cache tokens) use a model's above-200k prices. */
export const LONG_CONTEXT_THRESHOLD = 200_000;

export type TokenType = 'input' | 'output' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead';

export interface CostLine {
  tokenType: TokenType;
  tokens: number;
  /** Price applied, USD per million tokens (9 decimals). */
  usdPerMTok: number;
  costNanos: number;
}

export interface Cost {
  /** Sum of the lines' costNanos (exact integer). */
  costNanos: number;
  /** One line per token type, always all five, in the order of TOKEN_TYPES. */
  lines: CostLine[];
  /** True when the above-200k prices were applied. */
  longContext: boolean;
}

export const TOKEN_TYPES: readonly TokenType[] = ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'];

const MICRO = 1_000_000;

/**
 * Prices `usage` with `price`. When the prompt exceeds LONG_CONTEXT_THRESHOLD tokens and the model has
 * above-200k prices, every token type of the request (output included) uses them: Anthropic and Gemini bill
 * the whole request at the long-context rate, not just the tokens past the threshold.
 */
export function computeCost(usage: Usage, price: ModelPrice): Cost {
  const longContext = price.above200k !== undefined && promptTokens(usage) > LONG_CONTEXT_THRESHOLD;
  const level: TokenPrices = longContext ? price.above200k! : price;
  const lines = TOKEN_TYPES.map((tokenType) => costLine(tokenType, usage[tokenType], level[tokenType]));
  return { costNanos: lines.reduce((sum, l) => sum + l.costNanos, 0), lines, longContext };
}

/** The price of one token as an integer of nano-USD per MTok: exact, where the price itself is a tiny float (3.75e-6). */
const nanosPerMTokOf = (perToken: number): number => Math.round(perToken * NANOS_PER_USD * MICRO);

/** `tokens` at `nanosPerMTok`, in nano-USD. */
function lineNanos(tokens: number, nanosPerMTok: number): number {
  // tokens × nanosPerMTok / 1e6 can exceed 2^53, so split the price into whole nano-USD per token and the
  // remainder (< 1e6): both products stay exact integers and only the remainder's share is rounded (half up).
  const whole = Math.floor(nanosPerMTok / MICRO);
  const rest = nanosPerMTok - whole * MICRO;
  return tokens * whole + Math.round((tokens * rest) / MICRO);
}

function costLine(tokenType: TokenType, tokens: number, perToken: number): CostLine {
  const nanosPerMTok = nanosPerMTokOf(perToken);
  return { tokenType, tokens, usdPerMTok: nanosPerMTok / NANOS_PER_USD, costNanos: lineNanos(tokens, nanosPerMTok) };
}

/** `computeCost(usage, price).costNanos` without the lines (the relay prices every request it records). */
export function costNanosOf(usage: Usage, price: ModelPrice): number {
  const level: TokenPrices = price.above200k !== undefined && promptTokens(usage) > LONG_CONTEXT_THRESHOLD ? price.above200k : price;
  let sum = 0;
  for (const t of TOKEN_TYPES) sum += lineNanos(usage[t], nanosPerMTokOf(level[t]));
  return sum;
}
