// The model list answered locally at /v1/models, in the Anthropic shape the SDK paginator reads.

export interface ModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

export const CLAUDE_MODELS: readonly ModelInfo[] = [
  { type: 'model', id: 'claude-opus-4-8', display_name: 'Claude Opus 4.8', created_at: '2026-08-01T00:00:00Z' },
  { type: 'model', id: 'claude-sonnet-5', display_name: 'Claude Sonnet 5', created_at: '2026-07-01T00:00:00Z' },
  { type: 'model', id: 'claude-opus-4-5-20251101', display_name: 'Claude Opus 4.5', created_at: '2025-11-01T00:00:00Z' },
  { type: 'model', id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
  { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
  { type: 'model', id: 'claude-opus-4-1-20250805', display_name: 'Claude Opus 4.1', created_at: '2025-08-05T00:00:00Z' },
  { type: 'model', id: 'claude-sonnet-4-20250514', display_name: 'Claude Sonnet 4', created_at: '2025-05-14T00:00:00Z' },
  { type: 'model', id: 'claude-opus-4-20250514', display_name: 'Claude Opus 4', created_at: '2025-05-14T00:00:00Z' },
];

export interface ModelPageQuery {
  limit?: number;
  after_id?: string;
  before_id?: string;
}

/** One page of the list, with the cursor fields of the Anthropic API. */
export function modelPage(models: readonly ModelInfo[], q: ModelPageQuery) {
  const limit = Math.min(Math.max(Number(q.limit) || 20, 1), 1000);
  let start = 0;
  let end = models.length;
  if (q.after_id) start = models.findIndex((m) => m.id === q.after_id) + 1;
  if (q.before_id)
    end = Math.max(
      0,
      models.findIndex((m) => m.id === q.before_id),
    );
  const slice = q.before_id && !q.after_id ? models.slice(Math.max(0, end - limit), end) : models.slice(start, Math.min(end, start + limit));
  const hasMore = q.before_id && !q.after_id ? end - limit > 0 : start + slice.length < end;
  return { data: slice, has_more: hasMore, first_id: slice[0]?.id ?? null, last_id: slice.at(-1)?.id ?? null };
}
