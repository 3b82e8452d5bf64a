// The model catalogue and the paginated /v1/models shape (PROTOCOLS 1.7).

export interface ModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

const model = (id: string, display_name: string, created_at: string): ModelInfo => ({
  type: 'model',
  id,
  display_name,
  created_at,
});

/** Newest first, like the real list. Ids follow the SDK's `Model` union (Nov 2026); names and dates are made up. */
export const MODELS: readonly ModelInfo[] = [
  model('claude-opus-5-5', 'Claude Opus 5.5', '2026-10-14T00:00:00Z'),
  model('claude-sonnet-5-5', 'Claude Sonnet 5.5', '2026-10-14T00:00:00Z'),
  model('claude-haiku-5-5', 'Claude Haiku 5.5', '2026-10-14T00:00:00Z'),
  model('claude-sonnet-5', 'Claude Sonnet 5', '2026-06-02T00:00:00Z'),
  model('claude-opus-4-8', 'Claude Opus 4.8', '2026-05-05T00:00:00Z'),
  model('claude-sonnet-4-6', 'Claude Sonnet 4.6', '2026-02-17T00:00:00Z'),
  model('claude-opus-4-5-20251101', 'Claude Opus 4.5', '2025-11-24T00:00:00Z'),
  model('claude-haiku-4-5-20251001', 'Claude Haiku 4.5', '2025-10-15T00:00:00Z'),
];

export interface ModelPage {
  data: ModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** `limit` (1–1000, default 20), `after_id` (items after it) or `before_id` (items right before it). */
export function listModels(query: Record<string, string>): ModelPage | { error: string } {
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return { error: 'limit: Input should be between 1 and 1000' };
  let start = 0;
  let end = MODELS.length;
  if (query.after_id !== undefined) {
    const i = MODELS.findIndex((m) => m.id === query.after_id);
    if (i < 0) return { error: `after_id: unknown model ${query.after_id}` };
    start = i + 1;
  } else if (query.before_id !== undefined) {
    const i = MODELS.findIndex((m) => m.id === query.before_id);
    if (i < 0) return { error: `before_id: unknown model ${query.before_id}` };
    end = i;
    start = Math.max(0, end - limit);
  }
  const data = MODELS.slice(start, Math.min(end, start + limit));
  const has_more = query.before_id !== undefined ? start > 0 : start + data.length < end;
  return { data, has_more, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

export const findModel = (id: string): ModelInfo | undefined => MODELS.find((m) => m.id === id);
