// Deterministic token counting of the fake upstream; tests import these to compute expected usage.

/** The part of a Messages request that counts as input. */
export interface CountableRequest {
  system?: unknown;
  messages?: unknown;
  tools?: unknown;
}

/** input_tokens = ceil(UTF-8 byte length of JSON.stringify({system, messages, tools}) / 4); absent fields are omitted. */
export function countInputTokens(body: CountableRequest): number {
  const json = JSON.stringify({ system: body.system, messages: body.messages, tools: body.tools });
  return Math.ceil(Buffer.byteLength(json, 'utf8') / 4);
}

/** Number of whitespace-separated words. */
export function countWords(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

/** A response content block, loosely typed (the fake never validates closed schemas). */
export interface OutputBlock {
  type: string;
  text?: string;
  thinking?: string;
}

/**
 * output_tokens = words of all `text` and `thinking` blocks + 1 per non-text block (tool_use, thinking,
 * redacted_thinking, …). The `max_tokens` scenario reports the request's `max_tokens` instead.
 */
export function countOutputTokens(content: readonly OutputBlock[]): number {
  let n = 0;
  for (const b of content) {
    if (b.type === 'text') n += countWords(b.text ?? '');
    else n += 1 + (b.type === 'thinking' ? countWords(b.thinking ?? '') : 0);
  }
  return n;
}

/** Thinking share of output_tokens (for `output_tokens_details.thinking_tokens`). */
export function countThinkingTokens(content: readonly OutputBlock[]): number {
  return countOutputTokens(content.filter((b) => b.type === 'thinking' || b.type === 'redacted_thinking'));
}
