// The one token-usage value every provider parser produces and every cost/limit function consumes.

/** Token counts of one request. `input` excludes cache reads and writes (Anthropic semantics). */
export interface Usage {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export const ZERO_USAGE: Readonly<Usage> = Object.freeze({
  input: 0,
  output: 0,
  cacheWrite5m: 0,
  cacheWrite1h: 0,
  cacheRead: 0,
});

export function emptyUsage(): Usage {
  return { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
}

/** Every prompt-side token: fresh input plus cache reads and writes. */
export function promptTokens(u: Usage): number {
  return u.input + u.cacheWrite5m + u.cacheWrite1h + u.cacheRead;
}

export function totalTokens(u: Usage): number {
  return promptTokens(u) + u.output;
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheWrite5m: a.cacheWrite5m + b.cacheWrite5m,
    cacheWrite1h: a.cacheWrite1h + b.cacheWrite1h,
    cacheRead: a.cacheRead + b.cacheRead,
  };
}

export function isZeroUsage(u: Usage): boolean {
  return totalTokens(u) === 0;
}
