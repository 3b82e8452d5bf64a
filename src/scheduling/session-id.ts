// Which conversation a request belongs to, for sticky routing (prompt caches stay warm on one account).
// Claude Code's metadata.user_id (JSON form of v2.1.78+, or the older user_…_account_…_session_<uuid>), else its
// x-claude-code-session-id header, else a hash of the system prompt and the first user message. Pure.
import * as nodeCrypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const LEGACY_USER_ID = /^user_[a-fA-F0-9]{64}_account_.*?_session_([a-f0-9-]+)$/;

/**
 * `compute` memoised for the strings a client sends again with every turn of a conversation. Bounded whatever clients
 * send: cleared when full (a miss costs one computation), and keys longer than `longestKept` are not kept.
 */
function memoised<V>(kept: number, longestKept: number, compute: (key: string) => V): (key: string) => V {
  const memo = new Map<string, V>();
  return (key) => {
    let v = memo.get(key);
    if (v === undefined) {
      v = compute(key);
      if (memo.size >= kept) memo.clear();
      if (key.length <= longestKept) memo.set(key, v);
    }
    return v;
  };
}

/** The session of a JSON-form user id (parsed once per distinct id). */
const sessionFromJsonUserId = memoised(4096, 1024, (userId): string | null => {
  try {
    const v = JSON.parse(userId) as { session_id?: unknown };
    return typeof v?.session_id === 'string' && v.session_id ? v.session_id : null;
  } catch {
    return null;
  }
});

/** The session id inside Claude Code's `metadata.user_id`, in either format; null otherwise. */
export function sessionFromUserId(userId: unknown): string | null {
  if (typeof userId !== 'string' || userId === '') return null;
  if (userId.startsWith('{')) return sessionFromJsonUserId(userId);
  return LEGACY_USER_ID.exec(userId)?.[1] ?? null;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const b of content) {
    if (b && typeof b === 'object' && (b as { type?: unknown }).type === 'text' && typeof (b as { text?: unknown }).text === 'string') {
      // Claude Code's billing marker changes on every request: it must not split a conversation.
      const t = (b as { text: string }).text;
      if (!t.startsWith('x-anthropic-billing-header')) out += t + '\n';
    }
  }
  return out;
}

// crypto.hash (Node 20.12 and later) hashes in one call, ~1 µs less than a Hash object fed the same text; on an
// older Node 20 (without it) the Hash object gives the same digest.
const oneShot = typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : null;

/** The first 32 hex digits of the text's SHA-256: the form of every conversation id. */
export function shortHash(text: string): string {
  return (oneShot ? oneShot('sha256', text, 'hex') : nodeCrypto.createHash('sha256').update(text).digest('hex')).slice(0, 32);
}

/** Hashed explicit session ids: a client sends the same one on every request of a conversation. */
const explicitId = memoised(4096, 256, (session) => 's:' + shortHash(session));

const SAMPLE = 1024;
function sample(s: string): string {
  return s.length <= 2 * SAMPLE ? s : `${s.length}\u0000${s.slice(0, SAMPLE)}\u0000${s.slice(-SAMPLE)}`;
}

/**
 * Content hashes, memoised: every turn of a conversation sends the same system prompt and first message, and looking
 * the (at most ~4 KB) text up costs less than its SHA-256 (~59k of the ~1.1 million instructions of an OpenAI chat
 * request, bench/instructions.ts). At most 256 texts are kept (~1 MB).
 */
const contentId = memoised(256, 4 * SAMPLE + 64, (text) => 'h:' + shortHash(text));

/**
 * A stable id for the conversation, or null when there is nothing to go on.
 * Returned ids are short hashes, safe as store keys.
 */
export function conversationId(body: Record<string, unknown>, headers: IncomingHttpHeaders): string | null {
  const fromMeta = sessionFromUserId((body.metadata as { user_id?: unknown } | undefined)?.user_id);
  const header = headers['x-claude-code-session-id'];
  const explicit = fromMeta ?? (typeof header === 'string' && header ? header : null);
  if (explicit) return explicitId(explicit);
  const system = textOf(body.system);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const firstUser = messages.find((m) => m && typeof m === 'object' && (m as { role?: unknown }).role === 'user') as { content?: unknown } | undefined;
  const first = firstUser ? textOf(firstUser.content) : '';
  if (!system && !first) return null;
  // Long prompts are identified by their length and their first and last few KB: hashing 100 KB per request
  // would cost more than the rest of the relay's work, and a conversation is told apart long before that.
  return contentId(`${sample(system)}\u0000${sample(first)}`);
}

const CODEX_SESSION_HEADERS = ['session-id', 'session_id', 'x-session-id', 'thread-id', 'conversation_id'];

/**
 * The conversation of a Responses request (Codex CLI, CLIENTS 2.1): its session/thread headers (hyphenated in
 * current builds, underscored in older ones), else `prompt_cache_key`, else `client_metadata.session_id`, else
 * a hash of the instructions and first input item. Returned ids are short hashes, safe as store keys.
 */
export function responsesConversationId(body: Record<string, unknown>, headers: IncomingHttpHeaders): string | null {
  for (const name of CODEX_SESSION_HEADERS) {
    const v = headers[name];
    if (typeof v === 'string' && v) return explicitId(v);
  }
  const meta = body.client_metadata as { session_id?: unknown } | undefined;
  const explicit =
    typeof body.prompt_cache_key === 'string' && body.prompt_cache_key ? body.prompt_cache_key : typeof meta?.session_id === 'string' ? meta.session_id : '';
  if (explicit) return explicitId(explicit);
  const input = Array.isArray(body.input) ? body.input : [];
  const first = input.find((m) => m && typeof m === 'object' && (m as { role?: unknown }).role === 'user') as { content?: unknown } | undefined;
  return conversationId(
    { system: typeof body.instructions === 'string' ? body.instructions : '', messages: first ? [{ role: 'user', content: contentText(first.content) }] : [] },
    {},
  );
}

/** Text of Responses/Chat content parts (`input_text`, `text`), for the content hash. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('\n');
}

/** The conversation of a Chat Completions request: a hash of its system messages and first user message. */
export function chatConversationId(body: Record<string, unknown>, headers: IncomingHttpHeaders): string | null {
  const messages = Array.isArray(body.messages) ? (body.messages as { role?: unknown; content?: unknown }[]) : [];
  const system = messages
    .filter((m) => m?.role === 'system' || m?.role === 'developer')
    .map((m) => contentText(m.content))
    .join('\n');
  const first = messages.find((m) => m?.role === 'user');
  return conversationId({ system, messages: first ? [{ role: 'user', content: contentText(first.content) }] : [] }, headers);
}
