// Gemini `usageMetadata` → OpenAI `usage` (§6.7): prompt_tokens includes cached and tool-use prompt tokens,
// completion_tokens counts thoughts too (reported again as reasoning_tokens).

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

export function geminiToChatUsage(m: unknown): ChatUsage {
  const u = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>;
  const prompt = n(u.promptTokenCount) + n(u.toolUsePromptTokenCount);
  const thoughts = n(u.thoughtsTokenCount);
  const completion = n(u.candidatesTokenCount) + thoughts;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: n(u.totalTokenCount) || prompt + completion,
    prompt_tokens_details: { cached_tokens: n(u.cachedContentTokenCount) },
    completion_tokens_details: { reasoning_tokens: thoughts },
  };
}
