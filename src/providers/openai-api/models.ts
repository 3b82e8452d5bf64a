// The OpenAI models listed at /openai/v1/models (the key's model restriction filters them). Any other name is
// still relayed: the upstream decides what it serves.
export const OPENAI_MODELS: readonly string[] = [
  'gpt-5.5',
  'gpt-5.5-codex',
  'gpt-5.4',
  'gpt-5.4-mini',
  'gpt-5.3-codex',
  'gpt-5.2',
  'gpt-5.1-codex',
  'gpt-5',
  'gpt-5-mini',
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4o',
  'gpt-4o-mini',
];
