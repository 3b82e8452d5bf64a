// Anthropic usage → OpenAI `usage` (§6.7): prompt_tokens counts fresh input plus cache reads and writes.

/** The Anthropic counters the mapping needs; missing or null fields count as 0. */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function toChatUsage(u: AnthropicUsage | null | undefined): ChatUsage {
  const cacheRead = n(u?.cache_read_input_tokens);
  const cacheWrite = n(u?.cache_creation_input_tokens);
  const prompt = n(u?.input_tokens) + cacheRead + cacheWrite;
  const completion = n(u?.output_tokens);
  const out: ChatUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite },
  };
  const thinking = u?.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number') out.completion_tokens_details = { reasoning_tokens: thinking };
  return out;
}

/**
 * Merges a later Anthropic usage report into an earlier one with the API's overwrite semantics: every non-null
 * counter replaces the stored one; nothing is ever summed (§1.5 message_delta).
 */
export function overwriteUsage(into: AnthropicUsage, from: unknown): void {
  if (typeof from !== 'object' || from === null) return;
  const f = from as Record<string, unknown>;
  for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
    if (typeof f[key] === 'number') into[key] = f[key];
  }
  const details = f.output_tokens_details as AnthropicUsage['output_tokens_details'];
  if (typeof details?.thinking_tokens === 'number') into.output_tokens_details = { thinking_tokens: details.thinking_tokens };
}
